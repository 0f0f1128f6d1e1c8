import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connectDropCycles, createCloseCycles, type LeakReport } from '../../bench/lib/leak-cycles.mjs';
import { startReferenceServer, type ReferenceServer } from '../../server/index';
import { createTaskClient } from '../../src/index';

// Small counts here; `npm run bench` runs 1,000 of each. See bench/lib/leak-cycles.mjs.
const CYCLES = 300;
const MiB = 1024 * 1024;

let server: ReferenceServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

function expectNoLeak(report: LeakReport): void {
  expect(report.after, 'handles, sockets and listeners back to where they started').toEqual(
    expect.objectContaining({
      openSockets: report.before.openSockets,
      socketListeners: report.before.socketListeners,
      serverConnections: report.before.serverConnections,
    }),
  );
  for (const [type, count] of Object.entries(report.after.resources)) {
    expect(count, `active ${type} handles`).toBeLessThanOrEqual(report.before.resources[type] ?? 0);
  }
  expect(report.after.processListeners).toBeLessThanOrEqual(report.before.processListeners);
  expect(report.settled).toBe(true);
  expect(report.heapGrowthBytes, 'heap growth after GC').toBeLessThan(MiB);
}

describe('leaks', () => {
  it(`leaves nothing behind after ${CYCLES} connect/drop cycles`, async () => {
    server = await startReferenceServer({ port: 0 });
    const report = await connectDropCycles({ createTaskClient, WebSocketBase: WebSocket, server, cycles: CYCLES });
    expect(server.upgrades()).toBeGreaterThan(CYCLES);
    expectNoLeak(report);
  });

  it(`leaves nothing behind after ${CYCLES} clients created and closed`, async () => {
    server = await startReferenceServer({ port: 0 });
    const report = await createCloseCycles({ createTaskClient, WebSocketBase: WebSocket, server, cycles: CYCLES });
    expect(report.after.openSockets).toBe(0);
    expect(report.after.serverConnections).toBe(0);
    expectNoLeak(report);
  });
});
