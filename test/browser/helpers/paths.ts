import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
/** The SDK build; `npm test` builds it before vitest runs. */
export const DIST = join(REPO, 'dist');
/** Failure screenshots and other run output (gitignored). */
export const RESULTS = join(REPO, 'test-results', 'browser');

export const example = (name: string): string => join(REPO, 'examples', name);
