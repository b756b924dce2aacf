// The benchmark page (bench.html), driven by `npm run bench` in headless Chromium: runs the same
// cases as Node (src/cli/bench-core.ts) on the page's WebGPU device and exposes the results.
import { runBench, type BenchResult, type CopyResult } from '../src/cli/bench-core';
import { acquireGpu } from '../src/gpu/device';

declare global {
  interface Window {
    benchDone?: { adapter: string; results: BenchResult[]; copy?: CopyResult; notes?: string[] } | { error: string };
  }
}

const out = document.getElementById('out')!;
const params = new URLSearchParams(location.search);

async function main() {
  const gpu = await acquireGpu(navigator.gpu);
  const adapter = Object.values(gpu.adapter).filter(Boolean).join(' / ');
  out.textContent = `adapter: ${adapter}\n`;
  const { results, copy } = await runBench(gpu, {
    scale: Number(params.get('scale') ?? 1),
    repeats: Number(params.get('repeats') ?? 5),
    only: params.get('only')?.split(','),
    platform: 'chromium',
    onResult: (r) => {
      out.textContent += `${r.name} R=${r.runs}: ${r.msPerStep.toFixed(2)} ms/step\n`;
      console.log(`LR Lab ${r.workload} R=${r.runs}: ${r.msPerStep.toFixed(2)} ms/step`);
    },
  });
  window.benchDone = { adapter, results, copy };
}

main().catch((error: unknown) => {
  out.textContent = `error: ${(error as Error).message}`;
  window.benchDone = { error: (error as Error).message };
});
