// @vitest-environment jsdom
// The hooks on the real client, fed by the msw kit: socket, merge and React together.
import { StrictMode } from 'react';
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTaskClient, type TaskClient } from '../../src/index';
import { useConnectionState, useTaskClient, useTasks } from '../../src/react/index';
import { waitForState } from '../../testing/index';
import { useFlowrraMock } from '../helpers/adapter-cases';

const flowrra = useFlowrraMock('http://live.test/flowrra');
afterEach(cleanup);

function Board({ client }: { client: TaskClient }) {
  const state = useConnectionState(client);
  const tasks = useTasks(client);
  return (
    <section>
      <h1>{state}</h1>
      <ul>
        {tasks.map((t) => (
          <li key={t.task_id}>{`${t.task_name}:${t.status}`}</li>
        ))}
      </ul>
    </section>
  );
}

const rows = () => screen.queryAllByRole('listitem').map((li) => li.textContent);

describe('hooks on a real client', () => {
  it('shows tasks as the server sends them', async () => {
    const client = createTaskClient({ url: flowrra.url });
    render(<Board client={client} />);
    await screen.findByRole('heading', { name: 'live' });

    const first = flowrra.submit({ task_name: 'resize_image' });
    await vi.waitFor(() => expect(rows()).toEqual(['resize_image:pending']));
    flowrra.submit({ task_name: 'send_email' });
    flowrra.update(first.task_id, { status: 'running' });
    // `resize_image` started after `send_email` was submitted, so it is the newest.
    await vi.waitFor(() => expect(rows()).toEqual(['resize_image:running', 'send_email:pending']));
    act(() => client.close());
    expect(screen.getByRole('heading').textContent).toBe('closed');
  });
});

describe('useTaskClient', () => {
  function Owned({ onClient }: { onClient: (client: TaskClient) => void }) {
    const client = useTaskClient({ url: flowrra.url });
    onClient(client);
    return <Board client={client} />;
  }

  it('survives the StrictMode remount with one socket, and closes after unmount', async () => {
    const seen = new Set<TaskClient>();
    const { unmount } = render(
      <StrictMode>
        <Owned onClient={(client) => seen.add(client)} />
      </StrictMode>,
    );
    expect(seen.size).toBe(1);
    const [client] = seen;
    await waitForState(client, 'live');
    flowrra.submit({ task_name: 'charge_card' });
    await vi.waitFor(() => expect(rows()).toEqual(['charge_card:pending']));
    // The initializer React calls twice made a second, lazy client that never connected.
    expect(flowrra.upgrades()).toBe(1);

    unmount();
    await vi.waitFor(() => expect(client.state).toBe('closed'));
    await vi.waitFor(() => expect(flowrra.connections()).toBe(0));
  });
});
