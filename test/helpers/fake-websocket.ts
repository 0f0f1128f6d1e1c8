/**
 * A WebSocket whose life the test drives: `accept()`, `receive()`, `drop()`. Every instance is
 * kept in `FakeWebSocket.all`, so a test can count connection attempts.
 */
export class FakeWebSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  static all: FakeWebSocket[] = [];

  readyState = 0;
  binaryType = 'blob';
  closedWith: number | undefined;

  constructor(
    readonly url: string,
    readonly protocols?: string | string[],
  ) {
    super();
    FakeWebSocket.all.push(this);
  }

  static latest(): FakeWebSocket {
    const socket = FakeWebSocket.all[FakeWebSocket.all.length - 1];
    if (!socket) throw new Error('no socket was created');
    return socket;
  }

  static reset(): void {
    FakeWebSocket.all = [];
  }

  accept(): void {
    this.readyState = 1;
    this.dispatchEvent(new Event('open'));
  }

  receive(data: unknown): void {
    this.dispatchEvent(new MessageEvent('message', { data }));
  }

  /** The server or the network ends the connection; 1006 (no close frame) is the one unclean code. */
  drop(code = 1006, reason = ''): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.dispatchEvent(Object.assign(new Event('close'), { code, reason, wasClean: code !== 1006 }));
  }

  /** A handshake that fails, as browsers report it: `error`, then `close` with 1006. */
  fail(): void {
    this.dispatchEvent(new Event('error'));
    this.drop(1006);
  }

  send(): void {}

  close(code = 1000): void {
    this.closedWith = code;
    this.drop(code);
  }
}
