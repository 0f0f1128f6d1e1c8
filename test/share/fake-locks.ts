/**
 * The Web Locks API as the group uses it, in memory: exclusive locks, a FIFO queue per name,
 * `signal` to withdraw a queued request, `steal` to take a held lock (the holder's request then
 * rejects with an AbortError, as in browsers).
 */
export function fakeLocks() {
  const holders = new Map<string, { lost: (error: unknown) => void }>();
  const queues = new Map<string, (() => void)[]>();
  const abortError = (what: string) => new DOMException(what, 'AbortError');
  const next = (name: string) => queues.get(name)?.shift()?.();

  return {
    held: (name: string) => holders.has(name),
    request(name: string, options: { steal?: boolean; signal?: AbortSignal }, callback: (lock: { name: string }) => unknown): Promise<unknown> {
      return new Promise((resolve, reject) => {
        const run = () => {
          const holder = { lost: reject };
          holders.set(name, holder);
          Promise.resolve()
            .then(() => callback({ name }))
            .then(resolve, reject)
            .finally(() => {
              if (holders.get(name) !== holder) return;
              holders.delete(name);
              next(name);
            });
        };
        if (options.steal) {
          holders.get(name)?.lost(abortError('stolen'));
          holders.delete(name);
          return run();
        }
        if (!holders.has(name)) return run();
        const queue = queues.get(name) ?? [];
        queues.set(name, queue);
        queue.push(run);
        options.signal?.addEventListener('abort', () => {
          const at = queue.indexOf(run);
          if (at < 0) return;
          queue.splice(at, 1);
          reject(abortError('withdrawn'));
        });
      });
    },
  };
}
