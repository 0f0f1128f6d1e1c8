// In your app: import type { TaskClient } from 'flowrra-client';
import type { TaskClient } from '../../src/index';

/**
 * Keeps `list` showing one `<li>` per task, "name: status", the most recently seen on top.
 * Returns the function that stops it.
 */
export function showTasks(client: TaskClient, list: HTMLElement): () => void {
  const items = new Map<string, HTMLLIElement>();
  return client.subscribe(({ type, task }) => {
    let item = items.get(task.task_id);
    if (type === 'task.delete') {
      item?.remove();
      items.delete(task.task_id);
      return;
    }
    if (!item) {
      item = document.createElement('li');
      items.set(task.task_id, item);
      list.prepend(item);
    }
    item.textContent = `${task.task_name}: ${task.status}`;
  });
}
