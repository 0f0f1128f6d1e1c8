// Server processes for the multi-worker bench and tests (test/workers): each in its own process
// group, so a server that forks workers (uvicorn --workers) is stopped with all of them.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A port free right now on 127.0.0.1. */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const groups = new Set();
// A runner that dies must not leave servers holding ports.
process.once('exit', () => groups.forEach((pid) => killGroup(pid, 'SIGKILL')));

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Starts `command` in a new process group; `stop(grace)` sends SIGTERM to the group, then SIGKILL after `grace` ms. */
export function startGroup(command, args, { cwd, env = {} } = {}) {
  const child = spawn(command, args, { cwd, detached: true, env: { ...process.env, PYTHONUNBUFFERED: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  groups.add(pid);
  let text = '';
  child.stdout.on('data', (chunk) => (text += chunk));
  child.stderr.on('data', (chunk) => (text += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    child,
    output: () => text,
    async stop(grace = 500) {
      killGroup(pid, 'SIGTERM');
      // uvicorn hangs on SIGTERM once a socket client connected.
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), grace);
      await exited;
      clearTimeout(timer);
      // The leader may exit before its workers: make sure none is left.
      killGroup(pid, 'SIGKILL');
      groups.delete(pid);
    },
  };
}

/** Debian's redis-server on a free loopback port, without persistence; `restart()` kills it and starts it empty on the same port. */
export async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'flowrra-redis-'));
  let group;
  const start = async () => {
    group = startGroup('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir]);
    const deadline = Date.now() + 10_000;
    while (!(await ping(port))) {
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port}:\n${group.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: () => group.stop(0),
    async restart() {
      await group.stop(0);
      await start();
    },
  };
}

function ping(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('error', () => resolve(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(String(data).startsWith('+PONG'));
    });
  });
}
