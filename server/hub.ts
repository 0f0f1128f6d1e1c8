import { STATUS_CODES, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { originAccepted, tokenAccepted } from './guards';
import { requestUrl } from './respond';

export const SOCKET_PATH = '/flowrra/ws';

export interface HubOptions {
  token?: string;
  origins?: string[];
  maxConnections: number;
  maxPayload: number;
  pingInterval: number;
  /** A peer dropped for not reading what it was sent. */
  slowPeer?: () => void;
}

// A peer this far behind on reading is not keeping up; dropping it protects the server's memory.
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
// How long stop() waits for peers to answer the 1001 close frame before cutting them off.
const CLOSE_GRACE_MS = 2000;

/** The `/flowrra/ws` endpoint: guards the upgrade, broadcasts frames, keeps peers honest with pings. */
export class Hub {
  refusing = false;
  upgradeCount = 0;
  private closing: Promise<void> | undefined;
  private readonly wss: WebSocketServer;
  private readonly answeredPing = new WeakSet<WebSocket>();
  private readonly heartbeat: ReturnType<typeof setInterval>;

  constructor(
    server: HttpServer | HttpsServer,
    private readonly options: HubOptions,
  ) {
    // Flowrra selects no subprotocol whatever the client asks for; `ws` would pick the first one.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload, handleProtocols: () => false });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    this.heartbeat = setInterval(() => this.ping(), options.pingInterval);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.wss.clients.size;
  }

  broadcast(data: string | Buffer): void {
    const binary = typeof data !== 'string';
    for (const ws of this.wss.clients) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        ws.terminate();
        this.options.slowPeer?.();
      } else ws.send(data, { binary });
    }
  }

  /** No code: terminate (peers see 1006). With a code: a close frame carrying it. */
  drop(code?: number): number {
    if (code !== undefined && !sendableCloseCode(code)) throw new RangeError(`${code} cannot be sent in a close frame`);
    const count = this.wss.clients.size;
    for (const ws of this.wss.clients) {
      if (code === undefined) ws.terminate();
      else ws.close(code);
    }
    return count;
  }

  close(): Promise<void> {
    this.closing ??= this.closeAll();
    return this.closing;
  }

  private async closeAll(): Promise<void> {
    clearInterval(this.heartbeat);
    const peers = [...this.wss.clients];
    const closed = peers.map((ws) => new Promise<void>((resolve) => ws.once('close', () => resolve())));
    for (const ws of peers) ws.close(1001, 'Server shutting down');
    let grace: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(closed),
      new Promise<void>((resolve) => (grace = setTimeout(resolve, CLOSE_GRACE_MS))),
    ]);
    clearTimeout(grace);
    for (const ws of peers) ws.terminate();
    await Promise.all(closed);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A peer resetting mid-handshake must not crash the server.
    socket.on('error', () => socket.destroy());
    if (requestUrl(req)?.pathname !== SOCKET_PATH) return reject(socket, 404);
    this.upgradeCount++;
    if (this.refusing || this.closing) return reject(socket, 503);
    if (!originAccepted(this.options.origins, req)) return reject(socket, 403);
    const authorised = tokenAccepted(this.options.token, req);
    if (this.wss.clients.size >= this.options.maxConnections) return reject(socket, 503);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      // A browser sees a refused upgrade only as 1006 and retries for ever; a close code it can
      // read says why, and a client stops (or asks for a fresh token) on it.
      if (!authorised) return ws.close(UNAUTHORIZED, 'unauthorized');
      this.answeredPing.add(ws);
      ws.on('pong', () => this.answeredPing.add(ws));
      // Too-large frames and resets surface as errors; `ws` closes the socket itself.
      ws.on('error', () => undefined);
    });
  }

  private ping(): void {
    for (const ws of this.wss.clients) {
      if (!this.answeredPing.has(ws)) {
        ws.terminate();
        continue;
      }
      this.answeredPing.delete(ws);
      ws.ping();
    }
  }
}

// 1004–1006 and 1015 are reserved for local use; the rest of 1000–1014 and 3000–4999 may be sent.
function sendableCloseCode(code: number): boolean {
  return Number.isInteger(code) && ((code >= 1000 && code <= 1014 && (code < 1004 || code > 1006)) || (code >= 3000 && code <= 4999));
}

// The application close code for "unauthorised" (as HTTP 401), which the client treats as final.
const UNAUTHORIZED = 4401;

function reject(socket: Duplex, status: number): void {
  const reason = STATUS_CODES[status] ?? 'Error';
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
  );
}
