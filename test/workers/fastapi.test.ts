import { describe, it } from 'vitest';
import { fanoutOff, fanoutOn, redisRestart } from './helpers/scenarios';

describe('FastAPI under uvicorn --workers 2, Flowrra on Redis', () => {
  it('with the fan-out, every client on either worker gets every task live, exactly once, no socket restarted', () => fanoutOn('fastapi'), 60_000);
  it('without it, clients miss the other worker’s tasks live and the stale check restarts sockets', () => fanoutOff('fastapi'), 60_000);
  it('Redis restarted mid-run: every client converges on what the server holds, tasks submitted after reach every client', () => redisRestart('fastapi'), 60_000);
});
