import { describeRealServer } from './helpers/suite';

describeRealServer('fastapi');
