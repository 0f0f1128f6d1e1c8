// @vitest-environment jsdom
// The hooks on the real client, fed by the msw kit: socket, merge and React together.
import { Activity, StrictMode } from 'react';
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

  it('lets a module-level lazy client drop its socket once every component is gone, and reconnect for the next', async () => {
    const client = createTaskClient({ url: flowrra.url, lazy: true, lazyCloseTimeout: 50 });
    const first = render(<Board client={client} />);
    await waitForState(client, 'live');
    first.unmount();
    await waitForState(client, 'idle');
    await vi.waitFor(() => expect(flowrra.connections()).toBe(0));
    render(<Board client={client} />);
    await waitForState(client, 'live');
    expect(flowrra.connections()).toBe(1);
    client.close();
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

  it('closes its client while an <Activity> hides it, and has a live one again when shown', async () => {
    const seen: TaskClient[] = [];
    const page = (mode: 'visible' | 'hidden') => (
      <Activity mode={mode}>
        <Owned onClient={(client) => seen.push(client)} />
      </Activity>
    );
    const { rerender, container } = render(page('visible'));
    const first = seen.at(-1)!;
    await waitForState(first, 'live');
    rerender(page('hidden'));
    await vi.waitFor(() => expect(first.state).toBe('closed'));
    await vi.waitFor(() => expect(flowrra.connections()).toBe(0));
    rerender(page('visible'));
    await vi.waitFor(() => expect(seen.at(-1)!.state).toBe('live'));
    flowrra.submit({ task_name: 'after_show' });
    const items = () => Array.from(container.querySelectorAll('li'), (li) => li.textContent);
    await vi.waitFor(() => expect(items()).toEqual(['after_show:pending']));
    expect(flowrra.connections()).toBe(1);
  });
});
