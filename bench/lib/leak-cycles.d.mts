// Types for test/perf, which imports the leak checks from TypeScript.
import type { createTaskClient as CreateTaskClient } from '../../src/index';
import type { ReferenceServer } from '../../server/index';

export interface Snapshot {
  resources: Record<string, number>;
  processListeners: number;
  openSockets: number;
  socketListeners: number[];
  serverConnections: number;
}

export interface LeakReport {
  cycles: number;
  ms: number;
  heapGrowthBytes: number;
  /** Handles, sockets and listeners came back to where they were before the cycles. */
  settled: boolean;
  before: Snapshot;
  after: Snapshot;
}

export interface CycleOptions {
  createTaskClient: typeof CreateTaskClient;
  /** The `ws` package's WebSocket class. */
  WebSocketBase: unknown;
  server: ReferenceServer;
  cycles: number;
  warmup?: number;
}

export function connectDropCycles(options: CycleOptions): Promise<LeakReport>;
export function createCloseCycles(options: CycleOptions): Promise<LeakReport>;
