// Each bench part runs in its own process: a heap figure must not carry what an earlier part left.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Runs `run()` of the part module at `file` in a child node, resolving with what it returned. */
export function runPart(file, options = {}) {
  return new Promise((resolve, reject) => {
    const child = fork(file, [JSON.stringify(options)], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result;
    child.on('message', (message) => (result = message));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && result !== undefined) resolve(result);
      else reject(new Error(`${file} exited with code ${code}`));
    });
  });
}

/** At the bottom of a part: when started as a script, run it and hand the result to the parent (or print it). */
export async function asScript(meta, run) {
  if (fileURLToPath(meta.url) !== process.argv[1]) return;
  const options = process.argv[2] ? JSON.parse(process.argv[2]) : {};
  const result = await run(options);
  if (process.send) process.send(result, () => process.exit(0));
  else {
    console.log(JSON.stringify(result, null, 2));
    process.exit(0);
  }
}
