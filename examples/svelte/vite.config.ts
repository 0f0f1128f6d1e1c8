import { svelte } from '@sveltejs/vite-plugin-svelte';
import { exampleConfig } from '../shared/vite.ts';

// No svelte.config.js: the defaults (runes, TypeScript in <script lang="ts">) are all this app needs.
export default exampleConfig(new URL('.', import.meta.url), 'svelte', svelte({ configFile: false }));
