import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import { createFlowrraMock } from '../../testing/index';
import { cursorContract } from '../helpers/cursor-contract';

const flowrra = createFlowrraMock({ url: 'http://flowrra.test/flowrra' });
const server = setupServer(...flowrra.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => flowrra.reset());
afterAll(() => server.close());

describe('the msw kit: resuming by cursor', () => {
  cursorContract(async () => ({
    results: `${flowrra.url}/api/results`,
    change: (id, status = 'running') => void flowrra.emit({ type: 'task.update', task: { task_id: id, status } }),
    async renew() {
      // A reset mock is a new server to a client that kept its cursor.
      flowrra.reset();
      return `${flowrra.url}/api/results`;
    },
  }));
});
