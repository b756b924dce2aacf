// The benchmark page (bench.html), driven by `npm run bench` in headless Chromium: runs the same
// cases as Node (src/cli/bench-core.ts) on the page's WebGPU device and exposes the results.
import { runBench, type BenchResult } from '../src/cli/bench-core';
import { acquireGpu } from '../src/gpu/device';

declare global {
  interface Window {
    benchDone?: { adapter: string; results: BenchResult[] } | { error: string };
  }
}

const out = document.getElementById('out')!;
const params = new URLSearchParams(location.search);

async function main() {
  const gpu = await acquireGpu(navigator.gpu);
  const adapter = Object.values(gpu.adapter).filter(Boolean).join(' / ');
  out.textContent = `adapter: ${adapter}\n`;
  const results = await runBench(gpu, {
    scale: Number(params.get('scale') ?? 1),
    repeats: Number(params.get('repeats') ?? 5),
    onResult: (r) => (out.textContent += `${r.name} R=${r.runs}: ${r.msPerStep.toFixed(2)} ms/step\n`),
  });
  window.benchDone = { adapter, results };
}

main().catch((error: unknown) => {
  out.textContent = `error: ${(error as Error).message}`;
  window.benchDone = { error: (error as Error).message };
});
