// examples/esm: the npm ESM build imported by the browser itself, its dependencies mapped by an
// import map; served, as its README command does, from the repository root.
import { describeExamplePage } from './helpers/example-suite';
import { REPO } from './helpers/paths';

describeExamplePage('ESM example', () => ({ staticDir: REPO, path: '/examples/esm/' }));
