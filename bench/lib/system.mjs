import { readFileSync } from 'node:fs';
import os from 'node:os';

export function systemInfo() {
  return {
    node: process.version,
    cpu: os.cpus()[0]?.model?.trim() ?? 'unknown',
    cores: os.cpus().length,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    date: new Date().toISOString(),
  };
}

/**
 * When `npm run bench` started, build included (Linux: from /proc), so the total covers what a
 * user waits for. Undefined when the bench was started another way.
 */
export function npmStartedAt() {
  try {
    const bootSeconds = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))[1]);
    // node ← sh -c ← npm: npm titles itself `npm run bench`, or shows its script path and args.
    let pid = process.ppid;
    for (let depth = 0; depth < 3 && pid > 1; depth++) {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name, which may itself hold spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (/(^|\/)npm(-cli\.js)? .*\bbench\b/.test(cmdline)) return (bootSeconds + Number(fields[19]) / 100) * 1000;
      pid = Number(fields[1]);
    }
  } catch {
    // Not Linux, or /proc unreadable.
  }
  return undefined;
}
