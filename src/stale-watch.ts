import type { Log } from './debug';

export interface StaleWatch {
  /** The socket opened: watch it from now. */
  start(): void;
  /** A frame arrived: the socket is not silent. */
  touch(): void;
  stop(): void;
}

/**
 * A live socket silent for `after` ms may be half-open: a reconcile poll asks the server. If the
 * poll finds changes the socket did not bring, the socket is dead and is restarted; otherwise the
 * watch goes on.
 */
export function watchStale(after: number, poll: () => Promise<number>, restart: () => void, log?: Log): StaleWatch {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastFrameAt = 0;

  const arm = (): void => {
    const current = (timer = setTimeout(
      async () => {
        const silentFor = Date.now() - lastFrameAt;
        if (silentFor < after) return arm();
        lastFrameAt = Date.now();
        const missed = await poll();
        // Stopped, or started again for another socket, while the poll was out: not ours to judge.
        if (timer !== current) return;
        log?.({ event: 'stale', silentFor, missed });
        if (missed > 0) restart();
        else arm();
      },
      Math.max(0, after - (Date.now() - lastFrameAt)),
    ));
  };

  return {
    start() {
      clearTimeout(timer);
      lastFrameAt = Date.now();
      arm();
    },
    touch() {
      lastFrameAt = Date.now();
    },
    stop() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
