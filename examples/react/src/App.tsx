import { memo, useEffect, useState } from 'react';
import type { Task, TaskClient } from 'flowrra-client';
import { useConnectionState, useTask, useTaskClient, useTasks } from 'flowrra-client/react';
import { cellText, COLUMNS } from '../../shared/columns';

export function App({ pollInterval, maxDelay }: { pollInterval?: number; maxDelay?: number }) {
  // Owned by this component: made once, closed on unmount, connects when useTasks subscribes.
  const client = useTaskClient({ url: '/flowrra', pollInterval, reconnect: { maxDelay } });
  const state = useConnectionState(client);
  const tasks = useTasks(client);
  const [selected, setSelected] = useState<string | null>(null);

  return (
    <>
      <h1>
        Tasks <span id="state">{state}</span>
      </h1>
      <table id="tasks">
        <thead>
          <tr>
            {COLUMNS.map(({ field, label }) => (
              <th key={field}>{label}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {tasks.map((task) => (
            <TaskRow key={task.task_id} task={task} selected={task.task_id === selected} onSelect={setSelected} />
          ))}
        </tbody>
      </table>
      <TaskDetails client={client} taskId={selected} />
      <Errors client={client} />
    </>
  );
}

// Memoized: `useTasks` hands out the same task object until that task changes, so only changed rows re-render.
const TaskRow = memo(function TaskRow({ task, selected, onSelect }: { task: Task; selected: boolean; onSelect: (id: string) => void }) {
  return (
    <tr data-task-id={task.task_id} data-status={task.status} aria-selected={selected} onClick={() => onSelect(task.task_id)}>
      {COLUMNS.map(({ field }) => (
        <td key={field} data-field={field}>
          {cellText(task, field)}
        </td>
      ))}
    </tr>
  );
});

// Re-renders only when the selected task changes, not on every change to the list.
function TaskDetails({ client, taskId }: { client: TaskClient; taskId: string | null }) {
  const task = useTask(client, taskId);
  if (!task) return null;
  return (
    <section aria-label="Selected task">
      <h2>{task.task_name ?? task.task_id}</h2>
      <pre>{JSON.stringify({ args: task.args, kwargs: task.kwargs, result: task.result, error: task.error }, null, 2)}</pre>
    </section>
  );
}

function Errors({ client }: { client: TaskClient }) {
  const [errors, setErrors] = useState<string[]>([]);
  useEffect(() => client.on('error', (error) => setErrors((all) => [`${error.kind}: ${error.message}`, ...all].slice(0, 20))), [client]);
  return (
    <ul id="errors">
      {errors.map((text, i) => (
        <li key={errors.length - i}>{text}</li>
      ))}
    </ul>
  );
}
