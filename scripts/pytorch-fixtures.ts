/**
 * `npm run pytorch-fixtures`: rewrites python/tests/fixtures/ from the engine (the TypeScript twins,
 * and the golden trajectories trained on the GPU through Dawn), so that pytest runs without Node.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { goldenTrajectory, twinFixtures } from '../src/export/fixtures';
import { acquireNodeGpu } from '../src/gpu/node';

const folder = join(dirname(fileURLToPath(import.meta.url)), '..', 'python', 'tests', 'fixtures');
mkdirSync(folder, { recursive: true });
const write = (name: string, value: unknown) => {
  writeFileSync(join(folder, `${name}.json`), `${JSON.stringify(value)}\n`);
  console.error(`wrote python/tests/fixtures/${name}.json`);
};
for (const [name, value] of Object.entries(twinFixtures())) write(name, value);
const gpu = await acquireNodeGpu();
write('golden', await goldenTrajectory(gpu));
gpu.device.destroy();
