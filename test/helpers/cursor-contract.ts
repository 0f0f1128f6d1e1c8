import { expect, it } from 'vitest';
import type { Task } from '../../src/index';

/** A results endpoint under test: the reference server or the msw kit. */
export interface CursorTarget {
  /** `{mount}/api/results` */
  readonly results: string;
  /** Stores a change of task `id` (status `running` with started_at `stamp` unless given). */
  change(id: string, status?: string): void;
  /** Starts a new store in its place (a restarted server, a reset mock); resolves to its results URL. */
  renew(): Promise<string>;
}

const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers });
const ids = async (response: Response) => ((await response.json()) as Task[]).map((task) => task.task_id);
const since = (results: string, cursor: string, limit?: number) =>
  `${results}?${new URLSearchParams({ since: cursor, ...(limit && { limit: String(limit) }) })}`;

/**
 * The cursor contract (docs/reference.md, "Resuming by cursor"), the same for every target.
 * `setUp` returns a fresh, empty target.
 */
export function cursorContract(setUp: () => Promise<CursorTarget>): void {
  it('every answer carries X-Flowrra-Cursor: the full one (200 and 304) and a since-answer (200 and 304)', async () => {
    const target = await setUp();
    target.change('a');
    const full = await get(target.results);
    const cursor = full.headers.get('x-flowrra-cursor')!;
    expect(cursor).toMatch(/\S/);
    const fullAgain = await get(target.results, { 'If-None-Match': full.headers.get('etag')! });
    expect([fullAgain.status, fullAgain.headers.get('x-flowrra-cursor')]).toEqual([304, cursor]);
    const idle = await get(since(target.results, cursor));
    expect([idle.status, idle.headers.get('x-flowrra-cursor'), await idle.json()]).toEqual([200, cursor, []]);
    // The first since-poll after the full answer, with its ETag, costs a 304 when nothing changed.
    const afterFull = await get(since(target.results, cursor), { 'If-None-Match': full.headers.get('etag')! });
    expect([afterFull.status, afterFull.headers.get('x-flowrra-cursor')]).toEqual([304, cursor]);
    const idleAgain = await get(since(target.results, cursor), { 'If-None-Match': idle.headers.get('etag')! });
    expect([idleAgain.status, idleAgain.headers.get('x-flowrra-cursor'), await idleAgain.text()]).toEqual([304, cursor, '']);
  });

  it('?since= answers each run changed after the cursor once, in its current state, oldest change first, paged with More', async () => {
    const target = await setUp();
    for (const id of ['a', 'b', 'c']) target.change(id, 'pending');
    const cursor = (await get(target.results)).headers.get('x-flowrra-cursor')!;
    for (const id of ['d', 'b', 'e', 'a', 'f']) target.change(id, 'running');
    target.change('b', 'success');
    const pages: { ids: string[]; statuses: string[]; more: string | null }[] = [];
    let at = cursor;
    for (let page = 0; page < 5; page++) {
      const answer = await get(since(target.results, at, 2));
      expect(answer.status).toBe(200);
      const tasks = (await answer.json()) as Task[];
      pages.push({ ids: tasks.map((task) => task.task_id), statuses: tasks.map((task) => task.status), more: answer.headers.get('x-flowrra-more') });
      at = answer.headers.get('x-flowrra-cursor')!;
      if (!pages.at(-1)!.more) break;
    }
    expect(pages).toEqual([
      { ids: ['d', 'e'], statuses: ['running', 'running'], more: '1' },
      { ids: ['a', 'f'], statuses: ['running', 'running'], more: '1' },
      { ids: ['b'], statuses: ['success'], more: null },
    ]);
    // The last cursor is the newest position: nothing after it, and the full answer says the same.
    expect(await (await get(since(target.results, at))).json()).toEqual([]);
    expect((await get(target.results)).headers.get('x-flowrra-cursor')).toBe(at);
    // The full answer stays newest first.
    expect(await ids(await get(target.results))).toEqual(['b', 'f', 'a', 'e', 'd', 'c']);
  });

  it('an idle since-poll with the ETag it was given is a 304; a change after it is a 200', async () => {
    const target = await setUp();
    target.change('a', 'pending');
    const cursor = (await get(target.results)).headers.get('x-flowrra-cursor')!;
    target.change('a', 'running');
    const first = await get(since(target.results, cursor));
    const next = first.headers.get('x-flowrra-cursor')!;
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[^"]+"$/);
    expect((await get(since(target.results, next), { 'If-None-Match': etag })).status).toBe(304);
    target.change('a', 'success');
    const changed = await get(since(target.results, next), { 'If-None-Match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(((await changed.json()) as Task[]).map((task) => task.status)).toEqual(['success']);
  });

  it('answers 410 with a JSON message, never a partial answer, to a cursor it cannot serve: garbage, from the future, from another store', async () => {
    const target = await setUp();
    target.change('a');
    const cursor = (await get(target.results)).headers.get('x-flowrra-cursor')!;
    const results = await target.renew();
    const fromBefore = cursor;
    const renewedCursor = (await get(results)).headers.get('x-flowrra-cursor')!;
    for (const bad of ['', 'garbage', '12', fromBefore, renewedCursor.replace(/\d+$/, (n) => String(Number(n) + 5))]) {
      const answer = await get(since(results, bad));
      expect(answer.status, JSON.stringify(bad)).toBe(410);
      expect(answer.headers.get('content-type')).toBe('application/json');
      expect(answer.headers.get('x-flowrra-cursor')).toBeNull();
      expect((await answer.json()) as unknown).toEqual({ detail: expect.stringMatching(/cursor/) });
    }
    expect((await get(since(results, renewedCursor))).status).toBe(200);
  });

  it('checks limit on a since-poll as on the full answer', async () => {
    const target = await setUp();
    const cursor = (await get(target.results)).headers.get('x-flowrra-cursor')!;
    expect((await get(`${since(target.results, cursor)}&limit=0`)).status).toBe(400);
    expect((await get(`${since(target.results, cursor)}&limit=1001`)).status).toBe(400);
  });
}
