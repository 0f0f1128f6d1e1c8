import { describe, expect, it } from 'vitest';
import type { ReferenceServer } from '../../server/index';
import { cursorContract } from '../helpers/cursor-contract';
import { start } from './helpers';

const change = (server: ReferenceServer, id: string, status = 'running') =>
  server.emit({ type: 'task.update', task: { task_id: id, status: status as 'running' } });

describe('the reference server: resuming by cursor', () => {
  cursorContract(async () => {
    let server = await start();
    return {
      get results() {
        return `${server.url}/api/results`;
      },
      change: (id, status) => change(server, id, status),
      async renew() {
        // Another process: what a restarted server is to a page's cursor.
        server = await start();
        return `${server.url}/api/results`;
      },
    };
  });

  it('answers 410 to a cursor older than the runs it still holds (resultsLimit), and serves one from after', async () => {
    const server = await start({ resultsLimit: 3 });
    const results = `${server.url}/api/results`;
    const cursorNow = async () => (await fetch(results)).headers.get('x-flowrra-cursor')!;
    change(server, 'a');
    const beforeB = await cursorNow();
    for (const id of ['b', 'c', 'd']) change(server, id);
    // `a` was dropped: what changed after `beforeB` is still all held (b, c, d), what changed after the start is not.
    expect(((await (await fetch(`${results}?since=${beforeB}`)).json()) as { task_id: string }[]).map((t) => t.task_id)).toEqual(['b', 'c', 'd']);
    change(server, 'e'); // drops b: its change, after beforeB, is no longer known
    expect((await fetch(`${results}?since=${beforeB}`)).status).toBe(410);
  });

  it('lets a cross-origin page read the cursor headers', async () => {
    const server = await start({ cors: 'http://app.test' });
    const answer = await fetch(`${server.url}/api/results`, { headers: { Origin: 'http://app.test' } });
    const exposed = answer.headers.get('access-control-expose-headers')!.split(/,\s*/);
    expect(exposed).toEqual(expect.arrayContaining(['ETag', 'X-Flowrra-Cursor', 'X-Flowrra-More']));
  });

  it('a deleted run leaves the since-answers but moves the cursor', async () => {
    const server = await start();
    const results = `${server.url}/api/results`;
    change(server, 'a');
    change(server, 'b');
    const cursor = (await fetch(results)).headers.get('x-flowrra-cursor')!;
    server.emit({ type: 'task.delete', task: { task_id: 'a' } });
    const answer = await fetch(`${results}?since=${cursor}`);
    expect(await answer.json()).toEqual([]);
    expect(answer.headers.get('x-flowrra-cursor')).not.toBe(cursor);
  });
});
