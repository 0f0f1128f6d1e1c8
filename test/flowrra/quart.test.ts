import { describeRealServer } from './helpers/suite';

describeRealServer('quart');
