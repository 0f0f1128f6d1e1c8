// examples/vue: the Vite + Vue app on the composables, built here, served as built.
import { describeBuiltExample } from './helpers/example-build';

describeBuiltExample('Vue example', 'vue');
