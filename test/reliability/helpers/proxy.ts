import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** One proxied connection: the SDK's side and the server's side. */
export interface Link {
  readonly client: Socket;
  readonly upstream: Socket;
  stalled: boolean;
}

/**
 * A loopback TCP proxy between the SDK and a server that misbehaves on command: it closes
 * connections, stalls them (nothing passes either way, nothing is closed: a half-open path), and
 * refuses new ones. Bytes are forwarded as they are, so HTTP keep-alive and WebSocket framing are
 * the real thing.
 */
export class ChaosProxy {
  readonly counts = { accepted: 0, refused: 0, closed: 0, stalled: 0 };
  private readonly links = new Set<Link>();
  private refusing = false;
  private stallingNew = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<ChaosProxy> {
    let proxy: ChaosProxy | undefined;
    const server = createServer((socket) => {
      if (proxy) proxy.accept(socket);
      else socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    proxy = new ChaosProxy(server, (server.address() as AddressInfo).port, { host: targetHost, port: targetPort });
    return proxy;
  }

  /** `path` on the proxy, e.g. the Flowrra mount the SDK should use. */
  url(path = '/flowrra'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  get open(): number {
    return this.links.size;
  }

  /** Ends every connection at once, as a NAT or load balancer losing its state would. */
  closeAll(): number {
    const count = this.links.size;
    for (const link of [...this.links]) this.destroy(link);
    this.counts.closed += count;
    return count;
  }

  /** Stops forwarding on every open connection, both ways, without closing it. */
  stallAll(): Link[] {
    const stalled = [...this.links].filter((link) => !link.stalled);
    for (const link of stalled) this.setStalled(link, true);
    this.counts.stalled += stalled.length;
    return stalled;
  }

  stalledLinks(): Link[] {
    return [...this.links].filter((link) => link.stalled);
  }

  /** Forwards again on `links`; what was held back in the meantime follows in order. */
  resume(links: Iterable<Link>): void {
    for (const link of links) if (this.links.has(link)) this.setStalled(link, false);
  }

  close(links: Iterable<Link>): void {
    for (const link of links) {
      if (!this.links.has(link)) continue;
      this.destroy(link);
      this.counts.closed++;
    }
  }

  /** While on, new connections are reset as soon as they are accepted. */
  refuse(on: boolean): void {
    this.refusing = on;
  }

  /** While on, new connections are accepted but stalled from the start: a black hole. */
  stallNew(on: boolean): void {
    this.stallingNew = on;
  }

  /** Back to a healthy network: new connections pass, stalled ones flow again. */
  heal(): void {
    this.refusing = false;
    this.stallingNew = false;
    this.resume(this.links);
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const link of [...this.links]) this.destroy(link);
    await closed;
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined);
    if (this.refusing) {
      this.counts.refused++;
      client.resetAndDestroy();
      return;
    }
    this.counts.accepted++;
    const upstream = connect(this.target.port, this.target.host);
    upstream.on('error', () => undefined);
    const link: Link = { client, upstream, stalled: false };
    this.links.add(link);
    forward(client, upstream, link);
    forward(upstream, client, link);
    // A side that closes cleanly has sent all it had; the other side is ended, not cut, so the
    // bytes still queued for it are delivered first.
    const closed = (other: Socket) => (hadError: boolean) => {
      this.links.delete(link);
      if (hadError) other.destroy();
      else other.end();
    };
    client.on('close', closed(upstream));
    upstream.on('close', closed(client));
    if (this.stallingNew) {
      this.setStalled(link, true);
      this.counts.stalled++;
    }
  }

  private setStalled(link: Link, stalled: boolean): void {
    link.stalled = stalled;
    // A paused socket is not read at all: its data and even its FIN wait in the kernel, so
    // neither end learns anything until the link is resumed.
    for (const socket of [link.client, link.upstream]) {
      if (stalled) socket.pause();
      else socket.resume();
    }
  }

  private destroy(link: Link): void {
    this.links.delete(link);
    link.client.destroy();
    link.upstream.destroy();
  }
}

function forward(from: Socket, to: Socket, link: Link): void {
  from.on('data', (chunk) => {
    if (to.write(chunk) || link.stalled) return;
    from.pause();
    to.once('drain', () => link.stalled || from.resume());
  });
  from.on('end', () => to.end());
}
