import { freePort, startGroup } from '../../../bench/lib/processes.mjs';
import { PYTHON } from './python';

/** A server process the test started, bound to 127.0.0.1. */
export interface ServerProcess {
  readonly port: number;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  readonly pid: number;
  /** Everything it printed so far, stdout and stderr interleaved: for failure messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after `grace` ms, to its process group (a server's workers too); resolves once it has exited. */
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

export { freePort };

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
  // In a process group of its own, which a runner that dies kills too: a server that forks workers
  // (uvicorn --workers) leaves none behind, even when it must be killed.
  const group = startGroup(spec.command ?? PYTHON, spec.args(port), { cwd: spec.cwd, env: spec.env });
  const { child, output } = group;
  let running = true;
  child.once('exit', () => (running = false));
  const stop = (): Promise<void> => group.stop(spec.grace ?? 2000);

  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (spec.startTimeout ?? 15_000);
  for (;;) {
    if (!running) throw new Error(`${spec.args(port).join(' ')} exited before serving:\n${output()}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${spec.args(port).join(' ')} did not answer ${spec.ready} within ${spec.startTimeout ?? 15_000} ms:\n${output()}`);
    }
    // Retried until the server answers or exits: readiness is its answer, not a guessed delay.
    const answered = await fetch(origin + spec.ready, { signal: AbortSignal.timeout(1000) }).then(
      (response) => response.arrayBuffer().then(() => true),
      () => false,
    );
    if (answered) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port, origin, pid: child.pid!, output, stop };
}
