/**
 * The Node half of the benchmark (Dawn in this process), shared by `npm run bench` and the GPU
 * check (which is also bundled to run where only Node and Dawn's addon can be brought): the
 * adapter, every case, the copy references, and the text sections of the report.
 */
import { loadavg } from 'node:os';
import type { GpuContext } from '../gpu/device';
import { vulkanSetup } from '../gpu/node';
import { runBench, type BenchResult, type CopyResult } from './bench-core';
import { bandwidths, checksTable, copyLines, fmt, gpuTargets, lrLabTable, sweepTable } from './bench-report';

/** What the Node benchmark measured, and on what. */
export interface NodeBench {
  adapter: string;
  vulkan: ReturnType<typeof vulkanSetup>;
  tuning: GpuContext['tuning'];
  results: BenchResult[];
  copies: CopyResult[];
}

/** The adapter in one line (vendor / architecture / device / description). */
export function adapterLine(gpu: GpuContext): string {
  return Object.values(gpu.adapter).filter(Boolean).join(' / ');
}

/** One result as a progress line on stderr. */
export function logResult(r: BenchResult, elapsed: () => string): void {
  const load = loadavg().map((x) => x.toFixed(1)).join(' ');
  console.error(
    `  ${r.engine} ${r.platform}/${r.backend} ${r.workload} R=${r.runs}: ` +
      (r.error ? `error: ${r.error}` : `${r.msPerStep.toFixed(2)} ms/step (${r.stepsPerRepeat} steps × ${r.samples.length} repeats, warm-up ${r.warmupMs.toFixed(0)} ms)`) +
      ` [${elapsed()}, load ${load}]`,
  );
}

/** Runs every case on `gpu` in Node (see runBench). */
export async function nodeBench(
  gpu: GpuContext,
  options: { scale: number; repeats: number; only?: string[]; onResult?: (r: BenchResult) => void; shouldStop?: () => boolean },
): Promise<NodeBench> {
  const { results, copies } = await runBench(gpu, { ...options, platform: 'node' });
  return { adapter: adapterLine(gpu), vulkan: vulkanSetup(), tuning: gpu.tuning, results, copies };
}

/** The report's Node sections: the ms/step table, the sweep scaling, the bandwidths and issue 17's targets. */
export function nodeSections(node: NodeBench): string[] {
  const sections = [lrLabTable(`LR Lab, Node + Dawn (${node.adapter}; tuning ${node.tuning.profile})`, node.results)];
  const sweep = sweepTable(node.results);
  if (sweep) sections.push(sweep);
  const rows = bandwidths(node.results, node.copies);
  if (rows.length) {
    sections.push([
      'Fused Adam update vs a copy of the same bytes (28 bytes per element read + written)',
      '| elements | fused Adam GB/s | copy GB/s | fraction |',
      '|---|---|---|---|',
      ...rows.map((b) => `| ${b.elements.toLocaleString('en-US')} | ${fmt(b.adamGbs)} | ${fmt(b.copyGbs)} | ${b.fraction.toFixed(2)} |`),
    ].join('\n'));
  }
  sections.push(checksTable(gpuTargets(node.results, node.copies), 'Targets on a real GPU (issue 17), from this run'));
  sections.push(copyLines(node.copies));
  return sections;
}
