import { describeRealServer } from './helpers/suite';

describeRealServer('django');
