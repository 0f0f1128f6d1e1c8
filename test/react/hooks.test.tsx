// @vitest-environment jsdom
import { StrictMode, useState, type ReactNode } from 'react';
import { act, cleanup, render, screen } from '@testing-library/react';
import { hydrateRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it } from 'vitest';
import type { Task, TaskClient } from '../../src/index';
import { tasksNewestFirst, useConnectionState, useTask, useTasks } from '../../src/react/index';
import { newestFirstCase } from '../helpers/adapter-cases';
import { createFakeClient, makeTask } from '../helpers/fake-client';

afterEach(cleanup);

function TaskList({ client }: { client: TaskClient }) {
  const tasks = useTasks(client);
  return (
    <ul>
      {tasks.map((t) => (
        <li key={t.task_id}>{`${t.task_name}:${t.status}`}</li>
      ))}
    </ul>
  );
}

const rows = () => screen.queryAllByRole('listitem').map((li) => li.textContent);

describe('useTasks', () => {
  it('re-renders with each applied change', () => {
    const fake = createFakeClient();
    render(<TaskList client={fake} />);
    expect(rows()).toEqual([]);

    const task = makeTask(1, { task_name: 'send_email' });
    act(() => fake.put(task));
    expect(rows()).toEqual(['send_email:pending']);

    act(() => fake.put({ ...task, status: 'running' }));
    expect(rows()).toEqual(['send_email:running']);

    act(() => fake.remove(task.task_id));
    expect(rows()).toEqual([]);
  });

  it('orders by the latest timestamp, then by most recently first seen', () => {
    const order = newestFirstCase();
    const fake = createFakeClient(order.tasks);
    render(<TaskList client={fake} />);
    expect(rows()).toEqual(order.rows);

    act(() => fake.put(order.started));
    expect(rows()[0]).toBe(order.startedRow);
  });

  it('hands out one frozen array per version, shared across components', () => {
    const fake = createFakeClient([makeTask(1)]);
    const seen: (readonly Task[])[] = [];
    function Probe() {
      seen.push(useTasks(fake));
      return null;
    }
    function Parent() {
      const [, setTick] = useState(0);
      return (
        <>
          <button onClick={() => setTick((n) => n + 1)}>rerender</button>
          <Probe />
          <Probe />
        </>
      );
    }
    render(<Parent />);
    act(() => screen.getByRole('button').click());
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(1);
    expect(Object.isFrozen(seen[0])).toBe(true);

    act(() => fake.put(makeTask(2)));
    expect(seen.at(-1)).not.toBe(seen[0]);
    expect(seen.at(-1)).toHaveLength(2);
    expect(tasksNewestFirst(fake)).toBe(seen.at(-1));
  });

  it('sorts once per version, not once per event, during a burst', () => {
    const fake = createFakeClient();
    let renders = 0;
    function Counter() {
      renders += 1;
      return <span>{useTasks(fake).length}</span>;
    }
    render(<Counter />);
    // Events applied in one synchronous batch (as a poll applies them) cost one render.
    act(() => {
      for (let i = 0; i < 50; i++) fake.put(makeTask(i % 60));
    });
    expect(screen.getByText('50')).toBeTruthy();
    expect(renders).toBe(2);
  });
});

describe('useTask', () => {
  it('re-renders only when its own task changes', () => {
    const watched = makeTask(1, { task_name: 'watched' });
    const other = makeTask(2);
    const fake = createFakeClient([watched, other]);
    let renders = 0;
    function One() {
      renders += 1;
      const task = useTask(fake, watched.task_id);
      return <p>{task?.status ?? 'unknown'}</p>;
    }
    render(<One />);
    expect(renders).toBe(1);

    act(() => fake.put({ ...other, status: 'running' }));
    act(() => fake.put(makeTask(3)));
    expect(renders).toBe(1);

    act(() => fake.put({ ...watched, status: 'success' }));
    expect(renders).toBe(2);
    expect(screen.getByText('success')).toBeTruthy();
  });

  it('is undefined for an unknown, removed or absent id', () => {
    const task = makeTask(1);
    const fake = createFakeClient([task]);
    function One({ id }: { id: string | null }) {
      return <p>{useTask(fake, id)?.status ?? 'none'}</p>;
    }
    const { rerender } = render(<One id="nope" />);
    expect(screen.getByText('none')).toBeTruthy();
    rerender(<One id={task.task_id} />);
    expect(screen.getByText('pending')).toBeTruthy();
    act(() => fake.remove(task.task_id));
    expect(screen.getByText('none')).toBeTruthy();
    rerender(<One id={null} />);
    expect(screen.getByText('none')).toBeTruthy();
  });
});

describe('useConnectionState', () => {
  it('follows state events', () => {
    const fake = createFakeClient([], 'connecting');
    function State() {
      return <p>{useConnectionState(fake)}</p>;
    }
    render(<State />);
    expect(screen.getByText('connecting')).toBeTruthy();
    act(() => fake.setState('live'));
    expect(screen.getByText('live')).toBeTruthy();
    act(() => fake.setState('polling'));
    expect(screen.getByText('polling')).toBeTruthy();
  });
});

describe('subscriptions', () => {
  function All({ client }: { client: TaskClient }) {
    const tasks = useTasks(client);
    const first = useTask(client, tasks[0]?.task_id);
    const state = useConnectionState(client);
    return <p>{`${state} ${tasks.length} ${first?.status}`}</p>;
  }

  it.each([
    ['plain', (node: ReactNode) => node],
    ['StrictMode', (node: ReactNode) => <StrictMode>{node}</StrictMode>],
  ])('%s: one listener per hook while mounted, none after unmount', (_mode, wrap) => {
    const fake = createFakeClient([makeTask(1)]);
    const { unmount } = render(wrap(<All client={fake} />));
    expect(screen.getByText('live 1 pending')).toBeTruthy();
    expect(fake.listeners()).toEqual({ tasks: 2, state: 1 });
    unmount();
    expect(fake.listeners()).toEqual({ tasks: 0, state: 0 });
  });

  it('moves its listeners when the client prop changes', () => {
    const a = createFakeClient();
    const b = createFakeClient();
    const { rerender } = render(<All client={a} />);
    rerender(<All client={b} />);
    expect(a.listeners()).toEqual({ tasks: 0, state: 0 });
    expect(b.listeners()).toEqual({ tasks: 2, state: 1 });
  });
});

describe('hydration', () => {
  it('matches the server markup, then shows the live data', () => {
    function Summary({ client }: { client: TaskClient }) {
      const tasks = useTasks(client);
      return <p>{`${useConnectionState(client)} ${tasks.length} ${useTask(client, 'known')?.status}`}</p>;
    }
    const server = createFakeClient([], 'idle');
    const container = document.createElement('div');
    container.innerHTML = renderToString(<Summary client={server} />);
    expect(container.textContent).toBe('connecting 0 undefined');

    // The browser's client already has data when React hydrates: the markup must still match.
    const browser = createFakeClient([makeTask(1, { task_id: 'known', status: 'running' })], 'live');
    const recoverable: unknown[] = [];
    let root: ReturnType<typeof hydrateRoot> | undefined;
    act(() => {
      root = hydrateRoot(container, <Summary client={browser} />, { onRecoverableError: (e) => recoverable.push(e) });
    });
    expect(recoverable).toEqual([]);
    expect(container.textContent).toBe('live 1 running');
    act(() => root!.unmount());
  });
});
