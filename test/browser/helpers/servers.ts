import { afterEach } from 'vitest';
import { startReferenceServer, type ReferenceServer, type ReferenceServerOptions } from '../../../server/index';

/**
 * Reference servers on free ports, each stopped after its test. Call before `useChromium` so that
 * the pages close first (after-hooks run in reverse) and stopping does not wait on their sockets.
 */
export function useServers(): (options?: ReferenceServerOptions) => Promise<ReferenceServer> {
  const running: ReferenceServer[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((server) => server.stop()));
  });
  return async (options = {}) => {
    const server = await startReferenceServer({ port: 0, host: '127.0.0.1', ...options });
    running.push(server);
    return server;
  };
}
