import { multiWorkerTests } from './helpers/scenarios';
import { describeWorkers } from './helpers/suite';

describeWorkers('FastAPI under uvicorn --workers 2, Flowrra on Redis', multiWorkerTests('fastapi'));
