import { expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { untilState } from '../../bench/lib/client-state.mjs';
import { createTaskClient, type ConnectionState } from '../../src/index';
import { startReferenceServer } from '../../server/index';

const handles = () => process.getActiveResourcesInfo();

/** Handles open now that were not open at `before`, counted per kind (vitest's own timers come and go). */
function opened(before: string[]): string[] {
  const left = [...before];
  return handles().filter((kind) => {
    const i = left.indexOf(kind);
    if (i === -1) return true;
    left.splice(i, 1);
    return false;
  });
}

it('leaves no open handle after client.close() and srv.stop()', async () => {
  const before = handles();
  const srv = await startReferenceServer({ port: 0 });
  const client = createTaskClient({ url: srv.url, WebSocket, pollInterval: 100 });
  await vi.waitFor(() => expect(client.state).toBe('live'));
  srv.submit({ duration_ms: 5 });
  await vi.waitFor(() => expect(client.tasks.size).toBe(1));
  // The state event, not a sample of `state`: a sub-millisecond reconnect is live again before any sample.
  const down = untilState(client, (state: ConnectionState) => state !== 'live');
  srv.dropConnections();
  await down;
  expect(opened(before)).toContain('TCPServerWrap'); // the check sees what the test opens
  client.close();
  await srv.stop();
  // Not vi.waitFor: its own timer would count as an open handle. Each turn lets closes complete.
  for (let turn = 0; turn < 1000 && opened(before).length > 0; turn++) await new Promise((resolve) => setImmediate(resolve));
  expect(opened(before)).toEqual([]);
});
