/**
 * The least a WebSocket must be for the client's reconnect loop: listeners kept in plain arrays, events
 * as plain objects. A real socket's own event dispatch is paid by any socket library alike, so the
 * bench leaves it out and times the client from the `message` event on.
 */
export class FakeSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  /** Called with every new instance: the client opens its socket asynchronously. */
  static onCreate = undefined;

  readyState = 0;
  binaryType = 'blob';
  listeners = { open: [], message: [], close: [], error: [] };

  constructor(url) {
    this.url = url;
    FakeSocket.onCreate?.(this);
  }

  /** Resolves with the next socket created. One waiter at a time: create clients one by one. */
  static next() {
    return new Promise((resolve) => {
      FakeSocket.onCreate = (socket) => {
        FakeSocket.onCreate = undefined;
        resolve(socket);
      };
    });
  }

  addEventListener(type, fn) {
    this.listeners[type]?.push(fn);
  }

  removeEventListener(type, fn) {
    const list = this.listeners[type];
    if (list) this.listeners[type] = list.filter((entry) => entry !== fn);
  }

  open() {
    this.readyState = 1;
    for (const fn of this.listeners.open) fn({ type: 'open' });
  }

  message(data) {
    const event = { type: 'message', data };
    for (const fn of this.listeners.message) fn(event);
  }

  send() {}

  close(code = 1000) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    for (const fn of this.listeners.close) fn({ type: 'close', code, reason: '' });
  }
}
