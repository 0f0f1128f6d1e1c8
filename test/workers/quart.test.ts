import { multiWorkerTests } from './helpers/scenarios';
import { describeWorkers } from './helpers/suite';

describeWorkers('Quart under hypercorn --workers 2, Flowrra on Redis', multiWorkerTests('quart'));
