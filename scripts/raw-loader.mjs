// Node module hook so that `import text from './x.wgsl?raw'` works outside Vite (CLI, bench),
// exactly as Vite resolves it in the browser and in Vitest: the default export is the file's text.
import { register } from 'node:module';

register('./raw-hooks.mjs', import.meta.url);
