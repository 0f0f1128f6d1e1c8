import { describe, expect, it } from 'vitest';
import { OPTION_NAMES } from '../src/config';
import { createTaskClient, type TaskClientOptions, type WebSocketLike } from '../src/index';
import { FakeWebSocket } from './helpers/fake-websocket';

const WebSocket = FakeWebSocket as unknown as WebSocketLike;
const URL_STRING = 'http://127.0.0.1:8000/flowrra';

// Every key of TaskClientOptions, checked by tsc: a new option missing here fails `npm run typecheck`.
const EVERY_OPTION: Record<keyof TaskClientOptions, true> = {
  url: true, wsUrl: true, pollUrl: true, pollInterval: true, pollTimeout: true, staleAfter: true, reconnect: true,
  token: true, WebSocket: true, fetch: true, lazy: true, lazyCloseTimeout: true, maxTasks: true, maxFrameBytes: true,
  headers: true, credentials: true, debug: true, shareConnection: true, shareKey: true,
};

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
  it('knows exactly the keys of TaskClientOptions', () => {
    expect([...OPTION_NAMES].sort()).toEqual(Object.keys(EVERY_OPTION).sort());
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
    // Reported before any other option's error, which would otherwise blame a default the user never wrote.
    ['a misspelt url in Node', () => createTaskClient({ ulr: URL_STRING, WebSocket } as never), 'ulr: unknown option; did you mean url?'],
  ])('%s: a config error that names what the user wrote', (_, create, message) => {
    const got = configMessage(create);
    expect(got).toBe(message);
    expect(got).not.toContain('"/flowrra"');
  });
});
