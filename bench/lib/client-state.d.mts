import type { ConnectionState, TaskClient } from '../../src/index';

export function untilState(client: TaskClient, wanted: (state: ConnectionState) => boolean, limitMs?: number): Promise<ConnectionState>;
