/** Where the project lives on disk, so defaults do not depend on the working directory. */
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DEFAULT_DATA_DIR = resolve(PROJECT_ROOT, '.data');
export const DEFAULT_WEB_ROOT = resolve(PROJECT_ROOT, 'web/dist');
