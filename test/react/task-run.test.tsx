// @vitest-environment jsdom
// useTaskRun on the real client, fed by the msw kit: opens after mount, follows one run, closes
// when the run is final, on unmount and when the id changes.
import { useState } from 'react';
import { act, cleanup, render, screen } from '@testing-library/react';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useTaskRun } from '../../src/react/index';
import { useFlowrraMock } from '../helpers/adapter-cases';

const flowrra = useFlowrraMock('http://live.test/flowrra');
afterEach(cleanup);

let setId: (id: string | null) => void = () => {};

function Run({ initial }: { initial: string | null }) {
  const [id, set] = useState(initial);
  setId = set;
  const { task, state, error } = useTaskRun(id, { url: flowrra.url, token: 'read-token' });
  return <p role="status">{`${task?.task_id ?? '-'}:${task?.status ?? '-'}:${state}:${error?.kind ?? '-'}`}</p>;
}

const shown = () => screen.getByRole('status').textContent;

describe('useTaskRun', () => {
  it('opens nothing without an id, then follows the run and closes once it is final', async () => {
    const other = flowrra.submit({ task_name: 'other' });
    const mine = flowrra.submit({ task_name: 'report' });
    render(<Run initial={null} />);
    expect(shown()).toBe('-:-:idle:-');
    expect(flowrra.upgrades()).toBe(0);

    act(() => setId(mine.task_id));
    await vi.waitFor(() => expect(shown()).toBe(`${mine.task_id}:pending:live:-`));
    flowrra.update(other.task_id, { status: 'running' });
    flowrra.update(mine.task_id, { status: 'running' });
    await vi.waitFor(() => expect(shown()).toBe(`${mine.task_id}:running:live:-`));
    flowrra.update(mine.task_id, { status: 'success', result: 1 });
    await vi.waitFor(() => expect(shown()).toBe(`${mine.task_id}:success:closed:-`));
    await vi.waitFor(() => expect(flowrra.connections()).toBe(0));
    expect(flowrra.upgrades()).toBe(1);
  });

  it('closes on unmount, and never shows the previous id’s run for a new id', async () => {
    const first = flowrra.submit({ task_name: 'a' });
    const second = flowrra.submit({ task_name: 'b' });
    const { unmount } = render(<Run initial={first.task_id} />);
    await vi.waitFor(() => expect(shown()).toBe(`${first.task_id}:pending:live:-`));
    act(() => setId(second.task_id));
    expect(shown()).toBe('-:-:connecting:-'); // the new run's client, not the first run's state

    await vi.waitFor(() => expect(shown()).toBe(`${second.task_id}:pending:live:-`));
    expect(flowrra.upgrades()).toBe(2);
    await vi.waitFor(() => expect(flowrra.connections()).toBe(1));
    unmount();
    await vi.waitFor(() => expect(flowrra.connections()).toBe(0));
  });

  it('renders the initial run on the server and opens nothing there', () => {
    expect(renderToString(<Run initial="some-id" />)).toContain('-:-:idle:-');
    expect(flowrra.upgrades()).toBe(0);
  });
});
