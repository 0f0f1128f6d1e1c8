import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import '../../shared/tasks.css';

// ?poll=1000&retry=2000 shortens pollInterval and reconnect.maxDelay (ms), to see the fallback quickly.
const params = new URLSearchParams(location.search);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App pollInterval={Number(params.get('poll')) || undefined} maxDelay={Number(params.get('retry')) || undefined} />
  </StrictMode>,
);
