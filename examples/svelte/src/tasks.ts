import { createTaskClient } from 'flowrra-client';

// ?poll=1000&retry=2000 shortens pollInterval and reconnect.maxDelay (ms), to see the fallback quickly.
const params = new URLSearchParams(location.search);

/**
 * One client for the page, made once at module load. Lazy: it connects when the first task store
 * gets a subscriber, i.e. when the app renders `$tasks`.
 */
export const client = createTaskClient({
  url: '/flowrra',
  lazy: true,
  pollInterval: Number(params.get('poll')) || undefined,
  reconnect: { maxDelay: Number(params.get('retry')) || undefined },
});
