// examples/script-tag: the IIFE bundle and the global `FlowrraClient`, as a plain page loads them.
import { describeExamplePage } from './helpers/example-suite';
import { DIST, example } from './helpers/paths';

describeExamplePage('script-tag example', () => ({ staticDir: example('script-tag'), distDir: DIST, path: '/' }));
