import { createApp } from 'vue';
import App from './App.vue';
import '../../shared/tasks.css';

// ?poll=1000&retry=2000 shortens pollInterval and reconnect.maxDelay (ms), to see the fallback quickly.
const params = new URLSearchParams(location.search);

createApp(App, {
  pollInterval: Number(params.get('poll')) || undefined,
  maxDelay: Number(params.get('retry')) || undefined,
}).mount('#root');
