// The README's Node usage, as a user writes it: `ws`'s WebSocket passed as it is, no cast.
import { WebSocket } from 'ws';
import { createTaskClient } from 'flowrra-client';
import { startReferenceServer } from 'flowrra-client/server';

const srv = await startReferenceServer({ port: 0 });
const client = createTaskClient({ url: srv.url, WebSocket, fetch });
client.subscribe(({ task }) => console.log(task.task_id, task.status));
client.close();
await srv.stop();
