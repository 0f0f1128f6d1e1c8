import { describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { connect, eventually, start, upgradeStatus, wsUrl } from './helpers';

describe('GET /flowrra/ws', () => {
  it('broadcasts each event to every peer in the exact wire format', async () => {
    const server = await start();
    const [a, b] = await Promise.all([connect(server), connect(server)]);
    server.emit({ type: 'task.create', task: { task_id: 'x', task_name: 'é', kwargs: { delay: 0.2 } } });
    const expected =
      '{"type": "task.create", "task": {"task_id": "x", "status": "pending", "task_name": "\\u00e9", "result": null, "error": null, ' +
      '"submitted_at": null, "started_at": null, "finished_at": null, "retries": 0, "args": [], "kwargs": {"delay": 0.2}}}';
    for (const peer of [a, b]) expect(await peer.until(() => peer.frames[0])).toBe(expected);
    expect(server.connections()).toBe(2);
  });

  it('selects no subprotocol and ignores client frames', async () => {
    const server = await start();
    const ws = new WebSocket(wsUrl(server), ['flowrra.v1']);
    ws.on('error', () => undefined);
    const response = await new Promise<string | undefined>((resolve) => {
      ws.once('upgrade', (res) => resolve(res.headers['sec-websocket-protocol'] as string | undefined));
    });
    expect(response).toBeUndefined();
    ws.terminate();

    const peer = await connect(server);
    peer.ws.send('{"type": "hello"}');
    peer.ws.send(Buffer.from([1, 2, 3]));
    server.emit({ type: 'task.update', task: { task_id: 'after' } });
    await peer.until(() => peer.frames.length === 1);
    expect(JSON.parse(peer.frames[0]).task.task_id).toBe('after');
  });

  it('closes a peer sending a frame over maxPayload with 1009', async () => {
    const server = await start({ maxPayload: 1024 });
    const peer = await connect(server);
    peer.ws.send('x'.repeat(1025));
    expect((await peer.closed).code).toBe(1009);
  });

  it('sendRaw broadcasts text as text and a Buffer as binary', async () => {
    const server = await start();
    const peer = await connect(server);
    server.sendRaw('{not json');
    server.sendRaw(Buffer.from([0xff, 0x00]));
    await peer.until(() => peer.frames.length === 1 && peer.binary.length === 1);
    expect(peer.frames[0]).toBe('{not json');
    expect([...peer.binary[0]]).toEqual([0xff, 0x00]);
  });

  it('dropConnections terminates (1006) or closes with the given code', async () => {
    const server = await start();
    const first = await connect(server);
    server.dropConnections();
    expect((await first.closed).code).toBe(1006);
    const second = await connect(server);
    server.dropConnections(4000);
    expect((await second.closed).code).toBe(4000);
    await eventually(() => server.connections() === 0);
  });

  it('dropConnections refuses a code that cannot be sent, closing nothing', async () => {
    const server = await start();
    await connect(server);
    for (const code of [1005, 1006, 1015, 2000, 999, 5000]) expect(() => server.dropConnections(code), String(code)).toThrow(RangeError);
    expect(server.connections()).toBe(1);
  });

  it('POST /api/demo/drop and /api/demo/refuse work like the methods', async () => {
    const server = await start();
    const peer = await connect(server);
    const drop = await fetch(`${server.url}/api/demo/drop`, { method: 'POST' });
    expect(await drop.json()).toEqual({ dropped: 1 });
    expect((await peer.closed).code).toBe(1006);
    const refuse = (on: unknown) => fetch(`${server.url}/api/demo/refuse`, { method: 'POST', body: JSON.stringify({ on }) });
    expect(await (await refuse(true)).json()).toEqual({ refusing: true });
    expect(await upgradeStatus(wsUrl(server))).toBe(503);
    expect((await refuse('yes')).status).toBe(400);
    await refuse(false);
    expect(await upgradeStatus(wsUrl(server))).toBe(101);
  });

  it('refuseUpgrades answers 503 until turned off, and upgrades() counts every attempt', async () => {
    const server = await start();
    server.refuseUpgrades(true);
    expect(await upgradeStatus(wsUrl(server))).toBe(503);
    server.refuseUpgrades(false);
    expect(await upgradeStatus(wsUrl(server))).toBe(101);
    expect(server.upgrades()).toBe(2);
  });

  it('answers 404 to upgrades elsewhere and 426 to a plain GET of the socket path', async () => {
    const server = await start();
    expect(await upgradeStatus(`${server.url.replace('http', 'ws')}/other`)).toBe(404);
    expect((await fetch(`${server.url}/ws`)).status).toBe(426);
  });

  it('caps connections with 503', async () => {
    const server = await start({ maxConnections: 2 });
    await connect(server);
    await connect(server);
    expect(await upgradeStatus(wsUrl(server))).toBe(503);
    expect(server.connections()).toBe(2);
  });

  it('requires the token as ?token= or a bearer header; without it, accepts and closes with 4401', async () => {
    const server = await start({ token: 's3cret' });
    // A browser sees a refused upgrade only as 1006: the close code is what tells it why.
    for (const [query, headers] of [['', {}], ['?token=nope', {}], ['', { Authorization: 'Bearer nope' }]] as const) {
      const peer = await connect(server, query, { headers });
      expect(await peer.closed).toEqual({ code: 4401, reason: 'unauthorized' });
      expect(peer.frames).toEqual([]);
    }
    await eventually(() => server.connections() === 0);
    expect(await upgradeStatus(wsUrl(server, '?token=s3cret'))).toBe(101);
    expect(await upgradeStatus(wsUrl(server), { headers: { Authorization: 'Bearer s3cret' } })).toBe(101);
  });

  it('accepts only allow-listed origins, 403 otherwise', async () => {
    const server = await start({ origins: ['http://app.test'] });
    expect(await upgradeStatus(wsUrl(server), { origin: 'http://evil.test' })).toBe(403);
    expect(await upgradeStatus(wsUrl(server))).toBe(403);
    expect(await upgradeStatus(wsUrl(server), { origin: 'http://app.test' })).toBe(101);
  });

  it('pings peers and terminates one that stops answering', async () => {
    const server = await start({ pingInterval: 30 });
    const answering = await connect(server);
    const silent = await connect(server, '', { autoPong: false });
    let pings = 0;
    answering.ws.on('ping', () => pings++);
    expect((await silent.closed).code).toBe(1006);
    await eventually(() => pings >= 3);
    expect(answering.ws.readyState).toBe(WebSocket.OPEN);
  });
});

describe('stop()', () => {
  it('closes peers with 1001 and frees the port', async () => {
    const baseline = process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
    const server = await start();
    const peers = await Promise.all([connect(server), connect(server)]);
    await fetch(`${server.url}/api/results`, { keepalive: true });
    await server.stop();
    for (const peer of peers) expect((await peer.closed).code).toBe(1001);
    expect(server.connections()).toBe(0);
    expect(process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length).toBe(baseline);
    await expect(fetch(`${server.url}/api/results`)).rejects.toThrow();
    await server.stop();
  });

  it('clears every timer it started', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    try {
      const server = await start({ simulate: 5, pingInterval: 1000 });
      server.submit({ duration_ms: 60_000 });
      server.submit({ duration_ms: 60_000, fail: true });
      expect(vi.getTimerCount()).toBeGreaterThanOrEqual(4);
      await server.stop();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
