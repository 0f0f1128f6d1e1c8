import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { PYTHON } from './python';

/** A server process the test started, bound to 127.0.0.1. */
export interface ServerProcess {
  readonly port: number;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  readonly pid: number;
  /** Everything it printed so far, stdout and stderr interleaved: for failure messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after `grace` ms; resolves once it has exited. */
  stop(): Promise<void>;
}

export interface ServerSpec {
  /** Arguments to PYTHON (or to `command`), given the free port to bind. */
  args(port: number): string[];
  command?: string;
  cwd: string;
  env?: Record<string, string>;
  /** A path that answers (any HTTP status) once the server serves. */
  ready: string;
  /** ms to wait for `ready` to answer. */
  startTimeout?: number;
  /** ms between SIGTERM and SIGKILL (uvicorn never exits by itself once a socket client connected). */
  grace?: number;
}

/** A port free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const alive = new Set<ChildProcess>();
// A test runner that dies must not leave servers behind holding ports.
process.once('exit', () => {
  for (const child of alive) child.kill('SIGKILL');
});

/** Starts a server on a free port and resolves once `spec.ready` answers. */
export async function startServer(spec: ServerSpec): Promise<ServerProcess> {
  // The port is free when picked, not reserved: another process may take it before the server binds.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(spec, await freePort());
    } catch (error) {
      if (attempt === 3 || !/address already in use/i.test(String(error))) throw error;
    }
  }
}

async function startOnce(spec: ServerSpec, port: number): Promise<ServerProcess> {
  const child = spawn(spec.command ?? PYTHON, spec.args(port), {
    cwd: spec.cwd,
    env: { ...process.env, PYTHONUNBUFFERED: '1', ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  alive.add(child);
  let text = '';
  child.stdout!.on('data', (chunk) => (text += chunk));
  child.stderr!.on('data', (chunk) => (text += chunk));
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      alive.delete(child);
      resolve();
    }),
  );
  let running = true;
  void exited.then(() => (running = false));

  const stop = async (): Promise<void> => {
    if (!running) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), spec.grace ?? 2000);
    await exited;
    clearTimeout(killer);
  };

  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (spec.startTimeout ?? 15_000);
  for (;;) {
    if (!running) throw new Error(`${spec.args(port).join(' ')} exited before serving:\n${text}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${spec.args(port).join(' ')} did not answer ${spec.ready} within ${spec.startTimeout ?? 15_000} ms:\n${text}`);
    }
    // Retried until the server answers or exits: readiness is its answer, not a guessed delay.
    const answered = await fetch(origin + spec.ready, { signal: AbortSignal.timeout(1000) }).then(
      (response) => response.arrayBuffer().then(() => true),
      () => false,
    );
    if (answered) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port, origin, pid: child.pid!, output: () => text, stop };
}
