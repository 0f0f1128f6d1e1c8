import { djangoTests } from './helpers/scenarios';
import { describeWorkers } from './helpers/suite';

describeWorkers('Django Channels under uvicorn --workers 2 (no lifespan, as daphne), Flowrra on Redis', djangoTests);
