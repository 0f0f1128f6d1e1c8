import { describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { start } from '../server/helpers';
import { sdkClient } from './sdk-client';

/** `ws` sends no Origin unless asked; a browser always does. */
const fromOrigin = (origin: string) =>
  class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { origin });
    }
  };

describe('the server guards, met by the SDK', () => {
  it('lets a client with the token in, on the socket and on polls', async () => {
    const srv = await start({ token: 's3cret' });
    const { client, errors, reaches } = sdkClient(srv, { token: 's3cret' });
    await reaches('live');
    await client.refresh();
    expect(errors).toEqual([]);
  });

  it('keeps a client with a wrong token out, and reports its polls as failed authentication', async () => {
    const srv = await start({ token: 's3cret' });
    const { client, errors, reaches } = sdkClient(srv, { token: 'wrong' });
    await reaches('polling', 3000);
    await vi.waitFor(() => expect(errors.some((e) => e.kind === 'poll' && e.status === 401)).toBe(true));
    expect(errors.find((e) => e.status === 401)?.message).toMatch(/HTTP 401: authentication failed/);
    expect(client.state).not.toBe('live');
    expect(srv.connections()).toBe(0);
  });

  it('accepts an allowed origin and refuses another', async () => {
    const srv = await start({ origins: ['http://app.test'] });
    const allowed = sdkClient(srv, { WebSocket: fromOrigin('http://app.test') as never });
    await allowed.reaches('live');
    const refused = sdkClient(srv, { WebSocket: fromOrigin('http://evil.test') as never });
    await refused.reaches('polling', 3000);
    await vi.waitFor(() => expect(srv.upgrades()).toBeGreaterThanOrEqual(3)); // the refused client keeps retrying
    expect(srv.connections()).toBe(1);
  });
});
