// Types for test/workers, which starts its servers with these helpers.
import type { ChildProcess } from 'node:child_process';

export function freePort(): Promise<number>;

export interface Group {
  readonly child: ChildProcess;
  /** Everything it printed, stdout and stderr interleaved. */
  output(): string;
  stop(grace?: number): Promise<void>;
}
export function startGroup(command: string, args: string[], options?: { cwd?: string; env?: Record<string, string> }): Group;

export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:PORT`, without a database: the apps pick theirs. */
  readonly url: string;
  stop(): Promise<void>;
  /** Killed and started again on the same port, empty (a restart without persistence). */
  restart(): Promise<void>;
}
export function startRedis(): Promise<RedisServer>;
