import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Peer, start, wsUrl } from './helpers';

describe('TLS', () => {
  it('serves https and wss with a PEM cert given as files or as text', async () => {
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      keySize: 2048,
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    const dir = mkdtempSync(join(tmpdir(), 'flowrra-tls-'));
    try {
      writeFileSync(join(dir, 'cert.pem'), pems.cert);
      writeFileSync(join(dir, 'key.pem'), pems.private);
      for (const [tlsCert, tlsKey] of [[join(dir, 'cert.pem'), join(dir, 'key.pem')], [pems.cert, pems.private]]) {
        const server = await start({ tlsCert, tlsKey });
        expect(server.url).toBe(`https://127.0.0.1:${server.port}/flowrra`);
        const status = await new Promise<number>((resolve, reject) => {
          get(`${server.url}/api/results`, { ca: pems.cert }, (res) => {
            res.resume();
            resolve(res.statusCode!);
          }).on('error', reject);
        });
        expect(status).toBe(200);
        const ws = new WebSocket(wsUrl(server), { ca: pems.cert });
        const peer = new Peer(ws);
        await new Promise((resolve) => ws.once('open', resolve));
        const id = server.submit({ duration_ms: 1 });
        await peer.tasksUntil(id, 'success');
        ws.close();
        await server.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a cert without a key', async () => {
    await expect(start({ tlsCert: 'x' })).rejects.toThrow(/together/);
  });
});
