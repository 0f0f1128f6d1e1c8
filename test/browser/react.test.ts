// examples/react: the Vite + React app on the hooks, built here, served as built.
import { describeBuiltExample } from './helpers/example-build';

describeBuiltExample('React example', 'react');
