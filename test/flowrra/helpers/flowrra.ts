import { join } from 'node:path';
import type { Task } from '../../../src/index';
import { REPO } from '../../browser/helpers/paths';
import { startServer, type ServerProcess } from './process';

export type Framework = 'fastapi' | 'quart' | 'django';

/** How Flowrra's guide runs each framework, as `python3 -m SERVER … APP` on a given port; APP defaults to the test app. */
export const FRAMEWORKS: Record<Framework, { label: string; args(port: number, app?: string): string[] }> = {
  fastapi: {
    label: 'FastAPI + uvicorn',
    args: (port, app = 'fastapi_app:app') => ['-m', 'uvicorn', app, '--host', '127.0.0.1', '--port', String(port)],
  },
  quart: { label: 'Quart + hypercorn', args: (port, app = 'quart_app:app') => ['-m', 'hypercorn', app, '--bind', `127.0.0.1:${port}`] },
  django: {
    label: 'Django Channels + daphne',
    args: (port, app = 'django_app:application') => ['-m', 'daphne', '-b', '127.0.0.1', '-p', String(port), app],
  },
};

export const APPS = join(REPO, 'test', 'flowrra', 'apps');

export type DemoTask = 'quick' | 'slow' | 'fail';

/** A test app (test/flowrra/apps): Flowrra with its socket, and flowrra_live unless `live: false`. */
export interface FlowrraApp extends ServerProcess {
  /** The Flowrra mount, the SDK's `url`. */
  readonly mount: string;
  /** Submits a demo task through the test-only route; resolves to its task_id. */
  submit(task: DemoTask, ...args: unknown[]): Promise<string>;
  /** Submits `count` demo tasks in one request, task i given the argument i; resolves to their task_ids. */
  submitMany(task: DemoTask, count: number): Promise<string[]>;
  /** What the results endpoint serves now. */
  results(): Promise<Task[]>;
}

export async function startFlowrraApp(framework: Framework, options: { pythonPath: string[]; live?: boolean }): Promise<FlowrraApp> {
  const server = await startServer({
    args: (port) => FRAMEWORKS[framework].args(port),
    cwd: APPS,
    env: { PYTHONPATH: [APPS, ...options.pythonPath].join(':'), FLOWRRA_LIVE: options.live === false ? '0' : '1' },
    ready: '/flowrra/api/health/',
    grace: 1000,
  });
  const mount = `${server.origin}/flowrra`;
  return {
    ...server,
    mount,
    async submit(task, ...args) {
      const response = await fetch(`${server.origin}/test/submit`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ task, args }),
      });
      if (!response.ok) throw new Error(`submit ${task}: HTTP ${response.status}\n${server.output()}`);
      return ((await response.json()) as { task_id: string }).task_id;
    },
    async submitMany(task, count) {
      const response = await fetch(`${server.origin}/test/submit_many`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ task, count }),
      });
      if (!response.ok) throw new Error(`submit_many ${task}: HTTP ${response.status}\n${server.output()}`);
      return ((await response.json()) as { task_ids: string[] }).task_ids;
    },
    async results() {
      const response = await fetch(`${mount}/api/results?limit=1000`);
      if (!response.ok) throw new Error(`results: HTTP ${response.status}\n${server.output()}`);
      return (await response.json()) as Task[];
    },
  };
}
