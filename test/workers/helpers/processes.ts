import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../../browser/helpers/paths';
import { freePort } from '../../flowrra/helpers/process';

export { freePort };
export { PYTHON } from '../../flowrra/helpers/python';
export const APPS = join(REPO, 'test', 'workers', 'apps');

const groups = new Set<number>();
// A runner that dies must not leave servers holding ports.
process.once('exit', () => groups.forEach((pid) => killGroup(pid, 'SIGKILL')));

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** A process started in its own process group (a server with --workers forks), stopped with its whole group. */
export interface Group {
  readonly child: ChildProcess;
  output(): string;
  /** SIGTERM to the group, SIGKILL after `grace` ms (uvicorn hangs on SIGTERM once a socket connected). */
  stop(grace?: number): Promise<void>;
}

/** `pythonPath`: where flowrra_live and Flowrra are (describeRealFlowrra's); the test apps come first. */
export function startGroup(command: string, args: string[], pythonPath: string[], env: Record<string, string> = {}): Group {
  const child = spawn(command, args, {
    cwd: APPS,
    detached: true,
    env: { ...process.env, PYTHONPATH: [APPS, ...pythonPath].join(':'), PYTHONUNBUFFERED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid!;
  groups.add(pid);
  let text = '';
  child.stdout!.on('data', (chunk) => (text += chunk));
  child.stderr!.on('data', (chunk) => (text += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => text,
    async stop(grace = 500) {
      killGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), grace);
      await exited;
      clearTimeout(timer);
      // The leader may exit before its workers: make sure none is left.
      killGroup(pid, 'SIGKILL');
      groups.delete(pid);
    },
  };
}

/** Resolves once `check` stops throwing; fails with the last error and the process output after `timeout` ms. */
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

/** Debian's redis-server on a free loopback port, without persistence. */
export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:PORT` (no database: the apps pick theirs). */
  readonly url: string;
  stop(): Promise<void>;
  /** Killed and started again on the same port, empty (as a real restart without persistence). */
  restart(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'flowrra-redis-'));
  let group: Group | undefined;
  const start = async () => {
    group = startGroup('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], []);
    await until(() => ping(port), 10_000, () => group!.output());
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: () => group!.stop(0),
    async restart() {
      await group!.stop(0);
      await start();
    },
  };
}

function ping(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('error', reject);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      if (String(data).startsWith('+PONG')) resolve();
      else reject(new Error(`redis answered ${data}`));
    });
  });
}
