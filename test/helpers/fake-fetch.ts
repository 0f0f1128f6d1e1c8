import { vi } from 'vitest';

export interface FetchCall {
  url: string;
  headers: Record<string, string>;
  signal?: AbortSignal;
}

type Answer = Response | Promise<Response> | ((call: FetchCall) => Response | Promise<Response>);

/** A fetch that records each call and answers from a queue, then with `fallback`. */
export function fakeFetch(fallback: Answer = () => json([])) {
  const calls: FetchCall[] = [];
  const queue: Answer[] = [];
  const impl = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    const call = { url: String(url), headers: { ...(init?.headers as Record<string, string>) }, signal: init?.signal ?? undefined };
    calls.push(call);
    const answer = queue.shift() ?? fallback;
    return typeof answer === 'function' ? answer(call) : answer;
  });
  return { fetch: impl as unknown as typeof fetch, calls, answerNext: (answer: Answer) => queue.push(answer) };
}

export function json(body: unknown, init: ResponseInit = {}): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' }, ...init });
}

/** A fetch answer that never comes, except as an AbortError when the request is aborted. */
export function never(call: FetchCall): Promise<Response> {
  return new Promise((_, reject) => {
    call.signal?.addEventListener('abort', () => reject(new DOMException('The operation was aborted.', 'AbortError')));
  });
}
