import { execFileSync } from 'node:child_process';
import { describe, it } from 'vitest';
import { describeRealFlowrra } from '../../flowrra/helpers/real';
import { PYTHON } from './processes';

const NEEDS = 'apt-get install redis-server python3-redis python3-flask';

/** What these tests need beyond the real Flowrra: Debian's redis-server, redis-py and Flask. */
function missing(pythonPath: string[]): string | undefined {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    execFileSync(PYTHON, ['-c', 'import redis, flask'], { stdio: 'ignore', env: { ...process.env, PYTHONPATH: pythonPath.join(':') } });
    return undefined;
  } catch {
    return `multi-worker tests skipped: ${NEEDS}`;
  }
}

/** describeRealFlowrra, also skipped (failed under CI) without Redis and Flask. */
export function describeWorkers(name: string, body: (pythonPath: string[]) => void): void {
  describeRealFlowrra(name, ({ pythonPath }) => {
    const lacking = missing(pythonPath);
    if (!lacking) body(pythonPath);
    else if (process.env.CI === 'true') it('finds redis-server, redis-py and Flask', () => { throw new Error(lacking); });
    else describe.skip(lacking, () => body(pythonPath));
  });
}
