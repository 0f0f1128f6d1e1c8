import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type {} from 'vitest';
import { REPO } from '../../browser/helpers/paths';

/** Debian's interpreter: the `python3` first on PATH may be another one, without Debian's packages. */
export const PYTHON = '/usr/bin/python3';

/** What the real-server tests import: the frameworks of Flowrra's guide, with their servers. */
export const FRAMEWORK_MODULES = ['fastapi', 'uvicorn', 'quart', 'hypercorn', 'django', 'channels', 'daphne'];
const DEBIAN_PACKAGES = 'python3-fastapi python3-uvicorn python3-quart python3-hypercorn python3-django python3-django-channels python3-daphne';

export type RealFlowrra = { pythonPath: string[]; flowrra: string } | { missing: string };

declare module 'vitest' {
  export interface ProvidedContext {
    realFlowrra: RealFlowrra;
  }
}

const run = promisify(execFile);

/** Whether `modules` import under PYTHON with `pythonPath`; the first that does not, if any. */
async function importable(modules: string[], pythonPath: string[]): Promise<{ ok: true; file: string } | { ok: false; module: string }> {
  const script = `import importlib, sys\nfor name in sys.argv[1:]:\n    try: m = importlib.import_module(name)\n    except ImportError: print("missing", name); break\nelse: print("ok", m.__file__)`;
  const env = { ...process.env, PYTHONPATH: pythonPath.join(':') };
  const { stdout } = await run(PYTHON, ['-c', script, ...modules], { env }).catch((error) => ({ stdout: `missing ${PYTHON} (${error.code})` }));
  const [verdict, rest] = [stdout.slice(0, stdout.indexOf(' ')), stdout.slice(stdout.indexOf(' ') + 1).trim()];
  return verdict === 'ok' ? { ok: true, file: rest } : { ok: false, module: rest };
}

/**
 * Finds Flowrra as an installed package first (`pip install flowrra`), else at FLOWRRA_SRC, else in
 * ../shared/flowrra-0.1.8/src beside the repository; and checks the frameworks are there. The
 * PYTHONPATH it answers also holds the repository's `python/` (flowrra_live).
 */
export async function findRealFlowrra(): Promise<RealFlowrra> {
  const sources = ['', process.env.FLOWRRA_SRC ?? '', join(REPO, '..', 'shared', 'flowrra-0.1.8', 'src')];
  for (const source of sources.filter((s, i) => i === 0 || s)) {
    const pythonPath = [join(REPO, 'python'), ...(source ? [source] : [])];
    const found = await importable(['flowrra'], pythonPath);
    if (!found.ok) continue;
    const frameworks = await importable(FRAMEWORK_MODULES, pythonPath);
    if (!frameworks.ok) {
      return { missing: `real Flowrra tests skipped: ${frameworks.module} is missing; apt-get install ${DEBIAN_PACKAGES}` };
    }
    return { pythonPath, flowrra: found.file };
  }
  return {
    missing: 'real Flowrra tests skipped: Flowrra not found; pip install flowrra, or set FLOWRRA_SRC to its src/ (or put flowrra-0.1.8 in ../shared)',
  };
}
