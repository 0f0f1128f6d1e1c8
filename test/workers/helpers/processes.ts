import { join } from 'node:path';
import { freePort, startGroup as startInGroup, startRedis, type Group, type RedisServer } from '../../../bench/lib/processes.mjs';
import { REPO } from '../../browser/helpers/paths';

export { PYTHON } from '../../flowrra/helpers/python';
export { freePort, startRedis, type Group, type RedisServer };
export const APPS = join(REPO, 'test', 'workers', 'apps');
// The single-process test apps' helpers (first_scope) are shared with these.
const FLOWRRA_APPS = join(REPO, 'test', 'flowrra', 'apps');

/** A Python server for these tests: the test apps, then `pythonPath` (flowrra_live and Flowrra, from describeRealFlowrra). */
export function startGroup(command: string, args: string[], pythonPath: string[], env: Record<string, string> = {}): Group {
  return startInGroup(command, args, { cwd: APPS, env: { PYTHONPATH: [APPS, FLOWRRA_APPS, ...pythonPath].join(':'), ...env } });
}

/** Resolves once `check` stops throwing; fails with the last error and `describe()` after `timeout` ms. */
export async function until<T>(check: () => Promise<T> | T, timeout: number, describe: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${(error as Error).message}\n${describe()}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
