import { describe, expect, it, vi } from 'vitest';
import { createTaskClient, type TaskClientOptions, type WebSocketLike } from '../src/index';
import { FakeWebSocket } from './helpers/fake-websocket';

const WebSocket = FakeWebSocket as unknown as WebSocketLike;
const URL_STRING = 'http://127.0.0.1:8000/flowrra';

// Every option and every reconnect option, each with a valid value: tsc fails `npm run typecheck` when
// an option is added to TaskClientOptions and not here.
const EVERY_OPTION: Required<TaskClientOptions> = {
  url: URL_STRING, wsUrl: 'ws://127.0.0.1:8000/flowrra/ws', pollUrl: `${URL_STRING}/api/results`, pollInterval: 1000, pollTimeout: 1000,
  staleAfter: 0, reconnect: { minDelay: 100, maxDelay: 1000, factor: 2, maxRetries: 1, connectTimeout: 1000, minUptime: 1000 } satisfies Required<TaskClientOptions['reconnect']>,
  token: 't', WebSocket, fetch: async () => new Response('[]'), lazy: true, lazyCloseTimeout: 0, maxTasks: 10, maxFrameBytes: 1000,
  headers: {}, credentials: 'omit', debug: false, shareConnection: false, shareKey: '',
};

function onPage<T>(run: () => T): T {
  vi.stubGlobal('location', { href: 'http://127.0.0.1:8000/', origin: 'http://127.0.0.1:8000', protocol: 'http:' });
  try {
    return run();
  } finally {
    vi.unstubAllGlobals();
  }
}

function configMessage(create: () => unknown): string {
  try {
    create();
  } catch (error) {
    expect(error).toMatchObject({ kind: 'config' });
    return (error as Error).message;
  }
  throw new Error('no config error');
}

describe('options a JavaScript user gets wrong', () => {
  it('takes every key of TaskClientOptions and of ReconnectOptions', () => {
    const client = createTaskClient(EVERY_OPTION);
    expect(client.state).toBe('idle');
    client.close();
  });

  it('takes a URL object as the mount', () => {
    const client = createTaskClient({ url: new URL(URL_STRING), WebSocket, pollUrl: false, lazy: true });
    expect(client.state).toBe('idle');
    client.close();
    expect(() => createTaskClient({ url: new URL('ftp://h/flowrra'), WebSocket })).toThrow('url: expected an http: or https: URL');
  });

  it.each([
    ['a URL string instead of options', () => createTaskClient(URL_STRING as never), `options: expected an object, got "${URL_STRING}"`],
    ['url: null', () => createTaskClient({ url: null as never, WebSocket }), 'url: expected a URL string, got null'],
    ['token: 123', () => createTaskClient({ url: URL_STRING, WebSocket, token: 123 as never }), 'token: expected a string or a function, got 123'],
    ['pollIntervall', () => createTaskClient({ url: URL_STRING, WebSocket, pollIntervall: 1000 } as never), 'pollIntervall: unknown option; did you mean pollInterval?'],
    ['reconnect.minDealy', () => createTaskClient({ url: URL_STRING, WebSocket, reconnect: { minDealy: 1 } as never }), 'reconnect.minDealy: unknown option; did you mean reconnect.minDelay?'],
    ['websocket in lower case', () => createTaskClient({ url: URL_STRING, websocket: WebSocket } as never), 'websocket: unknown option; did you mean WebSocket?'],
    ["reconnect: 'fast'", () => createTaskClient({ url: URL_STRING, WebSocket, reconnect: 'fast' as never }), 'reconnect: expected an object, got "fast"'],
    ["headers: 'x'", () => createTaskClient({ url: URL_STRING, WebSocket, headers: 'x' as never }), 'headers: expected an object, got "x"'],
    [
      'shareConnection: true (sharing is an import of its own)',
      () => createTaskClient({ url: URL_STRING, WebSocket, shareConnection: true as never }),
      'shareConnection: expected share from "flowrra-client/share" (script tag: FlowrraClientShare.share), got true',
    ],
    ['a misspelt url on a page', () => onPage(() => createTaskClient({ ulr: URL_STRING, WebSocket } as never)), 'ulr: unknown option; did you mean url?'],
  ])('%s: a config error that names what the user wrote', (_, create, message) => {
    const got = configMessage(create);
    expect(got).toBe(message);
    expect(got).not.toContain('"/flowrra"');
  });
});
