// A project with neither the DOM lib nor Node's types reads the core's declarations (the msw kit needs the DOM lib, as msw does).
import { createTaskClient, TaskClientError, type TaskClientOptions, type Task } from 'flowrra-client';

export const options: TaskClientOptions = { url: 'https://example.test/flowrra', credentials: 'include', headers: { 'X-Team': '7' } };
export const client = createTaskClient(options);
export const tasks: ReadonlyMap<string, Task> = client.tasks;
export const isConfigError = (error: unknown): boolean => error instanceof TaskClientError && error.kind === 'config';
