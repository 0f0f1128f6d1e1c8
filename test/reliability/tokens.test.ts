import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import type { TaskClientError, WebSocketLike } from '../../src/index';
import { captureConsole } from './helpers/console-spy';
import { nodeClient, startServer } from './helpers/lifecycle';
import { record } from './helpers/recorder';

afterEach(() => {
  vi.restoreAllMocks();
});

const FAST = { pollInterval: 50, reconnect: { minDelay: 10, maxDelay: 50, connectTimeout: 500 } };

type Use = { by: 'socket' | 'poll'; token: string | null };

/** A WebSocket and a fetch that note the token each request carried, on the way to the real server. */
function recordingTransport(uses: Use[]) {
  class Recorded extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      uses.push({ by: 'socket', token: new URL(url).searchParams.get('token') });
    }
  }
  const recordedFetch: typeof fetch = (input, init) => {
    const auth = (init?.headers as Record<string, string> | undefined)?.Authorization ?? null;
    uses.push({ by: 'poll', token: auth?.replace(/^Bearer /, '') ?? null });
    return fetch(input, init);
  };
  return { WebSocket: Recorded as unknown as WebSocketLike, fetch: recordedFetch };
}

/** Every place a token could leak to: error messages, raw payloads, stacks, and the console. */
function leaks(tokens: string[], errors: TaskClientError[], consoleText: string[]): string[] {
  const texts = [...errors.flatMap((e) => [e.message, e.raw ?? '', e.stack ?? '']), ...consoleText];
  return tokens.filter((token) => texts.some((text) => text.includes(token)));
}

describe('tokens against a server that requires one', () => {
  it('asks the function before every connect and poll, recovers from an expired token, and never shows one', async () => {
    const consoleText = captureConsole();
    const good = `good-${randomUUID()}`;
    const server = await startServer({ token: good });
    const handedOut: string[] = [];
    const token = () => {
      // The first is refused: the socket is closed with 4401, and the one retry gets a fresh token.
      const next = handedOut.length < 1 ? `expired-${randomUUID()}` : good;
      handedOut.push(next);
      return next;
    };
    const uses: Use[] = [];
    // A connect timeout that a loaded machine cannot reach: an attempt aborted before its upgrade
    // arrives would be a socket use the server never saw.
    const reconnect = { ...FAST.reconnect, connectTimeout: 30_000 };
    const client = nodeClient({ url: server.url, token, ...FAST, reconnect, ...recordingTransport(uses) });
    const rec = record(client);

    // The refused socket may open before its 4401 arrives: wait for the retry's upgrade, not for
    // a first `live` that can be the refused one's.
    await vi.waitFor(
      () => {
        expect(server.upgrades()).toBeGreaterThan(1);
        expect(client.state).toBe('live');
      },
      { timeout: 5_000 },
    );
    const id = server.submit({ duration_ms: 10 });
    await vi.waitFor(() => expect(client.tasks.get(id)?.status).toBe('success'), { timeout: 5_000 });

    // One call per use, each use carrying what its call returned: as multisets, the same list.
    expect(uses.map((use) => use.token).sort()).toEqual([...handedOut].sort());
    expect(uses.some((use) => use.by === 'socket' && use.token === good)).toBe(true);
    expect(uses.some((use) => use.by === 'poll' && use.token === good)).toBe(true);
    // The server judged every request: each poll with an expired token was answered 401, each
    // upgrade was seen, and only one socket (a good one) was let in.
    const expiredPolls = uses.filter((use) => use.by === 'poll' && use.token !== good).length;
    expect(rec.errors.filter((e) => e.kind === 'poll' && e.status === 401)).toHaveLength(expiredPolls);
    expect(server.upgrades()).toBe(uses.filter((use) => use.by === 'socket').length);
    expect(server.upgrades()).toBeGreaterThan(1);
    expect(server.connections()).toBe(1);

    expect(leaks(handedOut, rec.errors, consoleText())).toEqual([]);
  });

  it('keeps every token it handed out, not only the latest, out of errors that quote the request', async () => {
    const consoleText = captureConsole();
    const server = await startServer({ token: `never-${randomUUID()}` });
    const handedOut: string[] = [];
    const token = async () => {
      const next = `rotating-${handedOut.length}-${randomUUID()}`;
      handedOut.push(next);
      return next;
    };
    // A gateway that quotes the refused request's credentials back, slowly enough that the socket
    // asks for a fresh token while the poll is out.
    const quoting: typeof fetch = async (_input, init) => {
      const auth = (init?.headers as Record<string, string>).Authorization;
      await new Promise((resolve) => setTimeout(resolve, 30));
      return new Response(`<h1>401</h1><p>rejected credentials: ${auth}</p>`, { status: 401, headers: { 'Content-Type': 'text/html' } });
    };
    const client = nodeClient({ url: server.url, token, fetch: quoting, ...FAST });
    const rec = record(client);
    // A run of identical refusals is reported once; wait until later requests took fresh tokens too.
    await vi.waitFor(() => {
      expect(rec.errors.filter((e) => e.status === 401)).toHaveLength(1);
      expect(handedOut.length).toBeGreaterThanOrEqual(3);
    }, { timeout: 5_000 });
    client.close();

    expect(rec.errors.find((e) => e.status === 401)?.raw).toContain('rejected credentials: Bearer [token]');
    expect(leaks(handedOut, rec.errors, consoleText())).toEqual([]);
  });

  it('does not repeat what a failing token function threw, which may quote the token', async () => {
    const consoleText = captureConsole();
    const secret = `secret-${randomUUID()}`;
    const server = await startServer({ token: secret });
    const client = nodeClient({
      url: server.url,
      ...FAST,
      token: () => {
        throw new Error(`refresh failed for ${secret}`);
      },
    });
    const rec = record(client);
    await vi.waitFor(() => expect(rec.errors.filter((e) => e.kind === 'auth').length).toBeGreaterThanOrEqual(2), { timeout: 5_000 });
    client.close();
    expect(leaks([secret], rec.errors, consoleText())).toEqual([]);
  });
});
