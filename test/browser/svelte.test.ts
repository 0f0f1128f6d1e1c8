// examples/svelte: the Vite + Svelte app on the stores, built here, served as built.
import { describeBuiltExample } from './helpers/example-build';

describeBuiltExample('Svelte example', 'svelte');
