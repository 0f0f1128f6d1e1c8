import type { Task } from 'flowrra-client';

/** The task table every framework example shows: which field, under which heading. */
export const COLUMNS = [
  { field: 'task_name', label: 'Task' },
  { field: 'status', label: 'Status' },
  { field: 'retries', label: 'Retries' },
  { field: 'error', label: 'Error' },
] as const;

/** A cell's text: the field as a string, empty when missing. Shown as text, never parsed as HTML. */
export const cellText = (task: Task, field: (typeof COLUMNS)[number]['field']): string => String(task[field] ?? '');
