import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { requestUrl } from './respond';

/** The token a client offered, as a bearer header or (browsers cannot set socket headers) `?token=`. */
function offeredTokens(req: IncomingMessage): string[] {
  const offered: string[] = [];
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (bearer) offered.push(bearer[1]);
  const query = requestUrl(req)?.searchParams.get('token') ?? null;
  if (query !== null) offered.push(query);
  return offered;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export function tokenAccepted(expected: string | undefined, req: IncomingMessage): boolean {
  if (expected === undefined) return true;
  // Equal-length digests make the comparison constant-time whatever the offered length.
  const wanted = digest(expected);
  return offeredTokens(req).some((token) => timingSafeEqual(digest(token), wanted));
}

/** With an allow-list, a missing Origin is refused too: every browser sends one on upgrades. */
export function originAccepted(allowed: readonly string[] | undefined, req: IncomingMessage): boolean {
  if (allowed === undefined) return true;
  const origin = req.headers.origin;
  return origin !== undefined && allowed.includes(origin);
}
