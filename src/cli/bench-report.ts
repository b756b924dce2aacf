/**
 * The benchmark's tables and issue 7's targets, from results measured in one `npm run bench`:
 * LR Lab (Node + Dawn, Chromium) per case and R, TensorFlow.js per backend, ratios, the fused
 * Adam update's fraction of copy bandwidth.
 */
import { ADAM_BYTES_PER_ELEMENT, ADAM_LARGE_SIZE, ADAM_UPDATE_SIZE, benchCases, SWEEP_RUNS, type BenchResult, type CopyResult } from './bench-core';

/** A number with about 3 significant digits. */
export const fmt = (x: number | undefined | null): string =>
  x === undefined || x === null || !Number.isFinite(x) ? '–' : x.toFixed(x < 10 ? 2 : x < 100 ? 1 : 0);

/** LR Lab's results of one platform: ms/step, spread, R=6/R=1, dispatches and submits. */
export function lrLabTable(title: string, results: BenchResult[]): string {
  const lines = [
    title,
    '| workload | R | ms/step (median) | min–max | R=6 / R=1 | steps × repeats | dispatches/step | submits/step |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const single = results.find((x) => x.workload === r.workload && x.runs === 1);
    const ratio = r.runs === 1 || !single ? '' : (r.msPerStep / single.msPerStep).toFixed(2);
    lines.push(`| ${r.name} | ${r.runs} | ${fmt(r.msPerStep)} | ${fmt(r.spread[0])}–${fmt(r.spread[1])} | ${ratio} | ${r.stepsPerRepeat} × ${r.samples.length} | ${r.dispatchesPerStep} | ${r.submitsPerStep} |`);
  }
  return lines.join('\n');
}

export interface TargetCheck {
  workload: string;
  what: string;
  value: number;
  target: string;
  met: boolean;
}

/**
 * The side-by-side table (LR Lab in Chromium vs TensorFlow.js backends in the same Chromium) and
 * the target checks of issue 7.
 */
export function comparison(lab: BenchResult[], tfjs: BenchResult[], copies: CopyResult[]): { table: string; checks: TargetCheck[] } {
  const checks: TargetCheck[] = [];
  const lines = [
    'Side by side in the same headless Chromium (ms/step, median; TensorFlow.js kernels/step from tf.profile)',
    '| workload | LR Lab R=1 | LR Lab R=6 | R=6/R=1 | tfjs webgpu | tfjs wasm | tfjs cpu | tfjs kernels/step | vs best tfjs | vs tfjs webgpu |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const spec of benchCases()) {
    const one = lab.find((r) => r.workload === spec.id && r.runs === 1);
    const six = lab.find((r) => r.workload === spec.id && r.runs === 6);
    if (!one) continue;
    const tf = (backend: string) => tfjs.find((r) => r.workload === spec.id && r.backend === backend);
    const cell = (r: BenchResult | undefined) => (!r ? '–' : r.error ? 'no kernel' : fmt(r.msPerStep));
    const valid = tfjs.filter((r) => r.workload === spec.id && !r.error && Number.isFinite(r.msPerStep));
    const best = valid.length ? valid.reduce((a, b) => (a.msPerStep <= b.msPerStep ? a : b)) : undefined;
    const kernels = valid.map((r) => `${r.backend} ${r.dispatchesPerStep ?? '–'}`).join(', ');
    const vsBest = best ? best.msPerStep / one.msPerStep : NaN;
    const webgpu = tf('webgpu');
    const vsWebgpu = webgpu && !webgpu.error ? webgpu.msPerStep / one.msPerStep : NaN;
    const scaling = six ? six.msPerStep / one.msPerStep : NaN;
    lines.push(
      `| ${spec.name} | ${fmt(one.msPerStep)} | ${fmt(six?.msPerStep)} | ${fmt(scaling)} | ${cell(webgpu)} | ${cell(tf('wasm'))} | ${cell(tf('cpu'))} | ${kernels || '–'} | ` +
        `${best ? `${fmt(vsBest)}× (${best.backend})` : '–'} | ${Number.isFinite(vsWebgpu) ? `${fmt(vsWebgpu)}×` : '–'} |`,
    );
    const needWebgpu = spec.id.startsWith('cnn') ? 5 : 10;
    if (best) checks.push({ workload: spec.id, what: `faster than best tfjs (${best.backend})`, value: vsBest, target: '> 1×', met: vsBest > 1 });
    if (Number.isFinite(vsWebgpu)) checks.push({ workload: spec.id, what: 'speed-up over tfjs webgpu', value: vsWebgpu, target: `≥ ${needWebgpu}×`, met: vsWebgpu >= needWebgpu });
    if (six) checks.push({ workload: spec.id, what: 'R=6 / R=1 time', value: scaling, target: '≤ 2', met: scaling <= 2 });
    if (spec.id.startsWith('mlp')) {
      const dispatches = Math.max(one.dispatchesPerStep ?? 0, six?.dispatchesPerStep ?? 0);
      checks.push({ workload: spec.id, what: 'dispatches per step (1 submit)', value: dispatches, target: '≤ 20', met: dispatches <= 20 && one.submitsPerStep === 1 });
    }
  }
  for (const copy of copies.filter((c) => c.bytes === (ADAM_UPDATE_SIZE * ADAM_BYTES_PER_ELEMENT) / 2)) {
    const adam = lab.find((r) => r.workload === 'adam-1m' && r.runs === 1 && r.platform === copy.platform);
    if (!adam) continue;
    const adamGbs = (ADAM_UPDATE_SIZE * ADAM_BYTES_PER_ELEMENT) / (adam.msPerStep * 1e6);
    checks.push({ workload: 'adam-1m', what: `fused Adam ${fmt(adamGbs)} GB/s vs copy ${fmt(copy.gbPerSecond)} GB/s (${copy.platform})`, value: adamGbs / copy.gbPerSecond, target: '≥ 0.5', met: adamGbs / copy.gbPerSecond >= 0.5 });
  }
  return { table: lines.join('\n'), checks };
}

/** The fused Adam update's bandwidth (28 bytes per element) and its fraction of a copy of the same bytes, per size measured. */
export function bandwidths(lab: BenchResult[], copies: CopyResult[]): Array<{ workload: string; elements: number; platform: string; adamGbs: number; copyGbs: number; fraction: number }> {
  const rows = [];
  for (const [workload, elements] of [['adam-1m', ADAM_UPDATE_SIZE], ['adam-16m', ADAM_LARGE_SIZE]] as const) {
    for (const copy of copies.filter((c) => c.bytes === (elements * ADAM_BYTES_PER_ELEMENT) / 2)) {
      const adam = lab.find((r) => r.workload === workload && r.runs === 1 && r.platform === copy.platform && !r.error);
      if (!adam) continue;
      const adamGbs = (elements * ADAM_BYTES_PER_ELEMENT) / (adam.msPerStep * 1e6);
      rows.push({ workload, elements, platform: copy.platform, adamGbs, copyGbs: copy.gbPerSecond, fraction: adamGbs / copy.gbPerSecond });
    }
  }
  return rows;
}

/** The sweep-scaling table (the playground's MLP stacked R times): ms/step, time relative to R = 1, µs per run. */
export function sweepTable(lab: BenchResult[]): string {
  const sweep = lab.filter((r) => r.workload === 'sweep');
  const single = sweep.find((r) => r.runs === 1);
  if (!sweep.length) return '';
  return [
    `Sweep scaling: ${sweep[0].name}, R = ${SWEEP_RUNS.join(', ')} stacked runs`,
    '| R | ms/step (median) | min–max | time / R=1 | µs per run |',
    '|---|---|---|---|---|',
    ...sweep.map((r) => `| ${r.runs} | ${fmt(r.msPerStep)} | ${fmt(r.spread[0])}–${fmt(r.spread[1])} | ${single ? fmt(r.msPerStep / single.msPerStep) : '–'} | ${fmt((1000 * r.msPerStep) / r.runs)} |`),
  ].join('\n');
}

/**
 * Issue 17's targets on a real GPU: fused Adam ≥ 70 % of copy bandwidth at 16M elements, 576
 * stacked runs of the playground's MLP ≤ 2× one run, an MLP 784-256-256-10 step < 1 ms.
 */
export function gpuTargets(lab: BenchResult[], copies: CopyResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const b of bandwidths(lab, copies).filter((row) => row.workload === 'adam-16m')) {
    checks.push({ workload: b.workload, what: `fused Adam ${fmt(b.adamGbs)} GB/s vs copy ${fmt(b.copyGbs)} GB/s (${b.platform})`, value: b.fraction, target: '≥ 0.7', met: b.fraction >= 0.7 });
  }
  const sweep = (runs: number) => lab.find((r) => r.workload === 'sweep' && r.runs === runs && !r.error);
  const [one, many] = [sweep(1), sweep(SWEEP_RUNS[SWEEP_RUNS.length - 1])];
  if (one && many) {
    const ratio = many.msPerStep / one.msPerStep;
    checks.push({ workload: 'sweep', what: `R=${many.runs} / R=1 time (${one.platform})`, value: ratio, target: '≤ 2', met: ratio <= 2 });
  }
  for (const id of ['mlp-sgdm', 'mlp-adam']) {
    const r = lab.find((x) => x.workload === id && x.runs === 1 && !x.error);
    if (r) checks.push({ workload: id, what: `ms per step, R=1 (${r.platform})`, value: r.msPerStep, target: '< 1 ms', met: r.msPerStep < 1 });
  }
  return checks;
}

/** The target checks as a table. */
export function checksTable(checks: TargetCheck[], title = 'Targets (issue 7), ratios from this run'): string {
  return [
    title,
    '| workload | check | value | target | met |',
    '|---|---|---|---|---|',
    ...checks.map((c) => `| ${c.workload} | ${c.what} | ${c.value < 1 && c.value > 0 ? c.value.toFixed(2) : fmt(c.value)} | ${c.target} | ${c.met ? 'yes' : 'NO'} |`),
  ].join('\n');
}

/** The copy-bandwidth lines. */
export function copyLines(copies: CopyResult[]): string {
  return copies
    .map((c) => `copyBufferToBuffer ${(c.bytes / 2 ** 20).toFixed(0)} MiB (${c.platform}): ${fmt(c.msPerCopy)} ms, ${fmt(c.gbPerSecond)} GB/s read+write`)
    .join('\n');
}
