// @vitest-environment node
// Server rendering runs where there is no window or document; jsdom would hide mistakes here.
import { setupServer } from 'msw/node';
import { renderToString } from 'react-dom/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTaskClient, type TaskClient } from '../../src/index';
import { useConnectionState, useTask, useTaskClient, useTasks } from '../../src/react/index';
import { createFlowrraMock } from '../../testing/index';
import { createFakeClient, makeTask } from '../helpers/fake-client';

function Summary({ client }: { client: TaskClient }) {
  const tasks = useTasks(client);
  const one = useTask(client, 'known');
  return <p>{`${useConnectionState(client)}|${tasks.length}|${one?.status ?? '-'}`}</p>;
}

describe('server rendering', () => {
  it('renders the fixed server snapshot and never subscribes', () => {
    const fake = createFakeClient([makeTask(1, { task_id: 'known', status: 'running' })], 'live');
    const subscribe = vi.spyOn(fake, 'subscribe');
    const on = vi.spyOn(fake, 'on');
    expect(renderToString(<Summary client={fake} />)).toBe('<p>connecting|0|-</p>');
    expect(subscribe).not.toHaveBeenCalled();
    expect(on).not.toHaveBeenCalled();
  });

  describe('with a real client', () => {
    const flowrra = createFlowrraMock({ url: 'http://ssr.test/flowrra' });
    const server = setupServer(...flowrra.handlers);
    beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
    afterAll(() => server.close());

    it('leaves a lazy client idle: no socket, no poll', () => {
      const client = createTaskClient({ url: flowrra.url, lazy: true });
      renderToString(<Summary client={client} />);
      expect(client.state).toBe('idle');
      expect(flowrra.upgrades()).toBe(0);
      expect(flowrra.polls()).toBe(0);
      client.close();
    });

    it('useTaskClient renders with an inert client, even for a relative url', () => {
      function Owner() {
        return <Summary client={useTaskClient({ url: '/flowrra' })} />;
      }
      expect(renderToString(<Owner />)).toBe('<p>connecting|0|-</p>');
      expect(flowrra.upgrades()).toBe(0);
    });
  });
});
