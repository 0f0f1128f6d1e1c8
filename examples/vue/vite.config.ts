import vue from '@vitejs/plugin-vue';
import { exampleConfig } from '../shared/vite.ts';

export default exampleConfig(new URL('.', import.meta.url), 'vue', vue());
