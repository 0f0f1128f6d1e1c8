import react from '@vitejs/plugin-react';
import { exampleConfig } from '../shared/vite.ts';

export default exampleConfig(new URL('.', import.meta.url), 'react', react());
