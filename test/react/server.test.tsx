// @vitest-environment node
// Server rendering runs where there is no window or document; jsdom would hide mistakes here.
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { TaskClient } from '../../src/index';
import { useConnectionState, useTask, useTaskClient, useTasks } from '../../src/react/index';
import { expectLazyClientLeftIdle, expectServerSnapshotUntouched, useFlowrraMock } from '../helpers/adapter-cases';

function Summary({ client }: { client: TaskClient }) {
  const tasks = useTasks(client);
  const one = useTask(client, 'known');
  return <p>{`${useConnectionState(client)}|${tasks.length}|${one?.status ?? '-'}`}</p>;
}

describe('server rendering', () => {
  it('renders the fixed server snapshot and never subscribes', async () => {
    await expectServerSnapshotUntouched((client) => renderToString(<Summary client={client} />), '<p>connecting|0|-</p>');
  });

  describe('with a real client', () => {
    const flowrra = useFlowrraMock('http://ssr.test/flowrra');

    it('leaves a lazy client idle: no socket, no poll', async () => {
      await expectLazyClientLeftIdle(flowrra, (client) => renderToString(<Summary client={client} />));
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
