/**
 * `npm run soak` (Node + Dawn): the playground's default experiment trained for 100,000 steps in a
 * TrainingSession, then 100 add/remove-run cycles (each rebuilds the stacked runner). It prints the
 * GPU buffers alive, their bytes and the JS heap with its array buffers (after a full GC) at the start, middle and end of
 * each phase, and checks that they stay flat: GPU buffers and bytes exactly; the heap within a
 * margin, apart from the metric history the runner keeps by design (one record per run per step,
 * reported as bytes per record), which the close at the end must give back.
 *
 *   npm run soak                      # 100,000 steps, 100 cycles (about 5 min here)
 *   npm run soak -- --steps 20000 --cycles 20
 *
 * Not a test: a script whose figures go in the closing note. Exit status 1 if a check fails.
 */
import { defaultExperimentInput } from '../src/experiment/defaults';
import { loadExperimentDataset } from '../src/experiment/datasets';
import { TrainingSession } from '../src/experiment/session';
import { acquireNodeGpu } from '../src/gpu/node';
import { asMethod } from '../src/util/ids';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const STEPS = option('--steps', 100_000);
const CYCLES = option('--cycles', 100);
/** Heap growth allowed where nothing should grow (GC noise, JIT code, caches that fill once). */
const HEAP_MARGIN_MB = 8;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('run with node --expose-gc (npm run soak does)');
  process.exit(1);
}

const gpu = await acquireNodeGpu();
// Every GPU buffer the engine creates, until it is destroyed.
const live = new Map<GPUBuffer, number>();
const createBuffer = gpu.device.createBuffer.bind(gpu.device);
gpu.device.createBuffer = (descriptor: GPUBufferDescriptor) => {
  const buffer = createBuffer(descriptor);
  live.set(buffer, descriptor.size);
  const destroy = buffer.destroy.bind(buffer);
  buffer.destroy = () => {
    live.delete(buffer);
    destroy();
  };
  return buffer;
};

interface Sample {
  label: string;
  buffers: number;
  bytes: number;
  heapMb: number;
  records: number;
}

function sample(label: string, records: number): Sample {
  gc!();
  gc!();
  const bytes = [...live.values()].reduce((sum, size) => sum + size, 0);
  const memory = process.memoryUsage();
  // The JS heap and the typed arrays' backing stores (kept outside it: the records' columns live there).
  const s = { label, buffers: live.size, bytes, heapMb: (memory.heapUsed + memory.arrayBuffers) / 2 ** 20, records };
  console.log(`${label.padEnd(34)} buffers ${String(s.buffers).padStart(4)}  bytes ${String(s.bytes).padStart(9)}  heap ${s.heapMb.toFixed(1).padStart(6)} MB  records ${records}`);
  return s;
}

const document = { ...defaultExperimentInput(), budget: { unit: 'steps', amount: STEPS } } as Record<string, unknown>;
const session = new TrainingSession(gpu, { loadDataset: (config) => loadExperimentDataset(config.dataset, config.seed, {}) });
await session.load(document);
const runs = session.runner.runs.length;
console.log(`soak: the default experiment (${runs} runs) for ${STEPS} steps, then ${CYCLES} add/remove cycles; ${gpu.adapter.vendor} ${gpu.adapter.architecture}`);
const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

// Phase 1: training. GPU buffers exactly flat; the heap grows by the history only. The start is
// taken after a warm-up of 100 steps: the evaluation buffers and the readback pools fill once.
await session.start({ until: 100 });
const trainStart = sample(`train: step ${session.state.step} (warm)`, session.runner.records.length);
const started = performance.now();
await session.start({ until: STEPS / 2 });
const trainMiddle = sample(`train: step ${session.state.step}`, session.runner.records.length);
await session.start();
const trainEnd = sample(`train: step ${session.state.step}`, session.runner.records.length);
const seconds = (performance.now() - started) / 1000;
console.log(`  ${STEPS - 100} steps in ${seconds.toFixed(0)} s (${((seconds * 1000) / (STEPS - 100)).toFixed(2)} ms/step)`);
const perRecord = (s: Sample) => ((s.heapMb - trainStart.heapMb) * 2 ** 20) / Math.max(1, s.records - trainStart.records);
console.log(`  heap per record kept: ${perRecord(trainMiddle).toFixed(0)} B at the middle, ${perRecord(trainEnd).toFixed(0)} B at the end`);
check(trainMiddle.buffers === trainStart.buffers && trainEnd.buffers === trainStart.buffers, 'training: GPU buffers alive unchanged');
check(trainMiddle.bytes === trainStart.bytes && trainEnd.bytes === trainStart.bytes, 'training: GPU bytes unchanged');
const historyGrowthMb = ((trainEnd.records - trainMiddle.records) * Math.max(perRecord(trainMiddle), 0) * 1.2) / 2 ** 20;
check(trainEnd.heapMb - trainMiddle.heapMb <= historyGrowthMb + HEAP_MARGIN_MB, 'training: the heap grows with the history only (bytes per record steady, within the margin)');

// Phase 2: add/remove cycles (each rebuilds the runner; the history starts over).
const applied = session.applied!;
const copy: Record<string, unknown> = { ...(applied.document.runs as Array<Record<string, unknown>>)[0], label: 'Soak copy' };
delete copy.color;
delete copy.runKey;
const cycle = async () => {
  await session.addRun(copy);
  await session.step(10);
  await session.removeRun(asMethod(runs)); // the copy, last
  await session.step(10);
};
await cycle(); // warm-up, as above
const cyclesStart = sample('cycles: after one', session.runner.records.length);
let cyclesMiddle = cyclesStart;
for (let done = 1; done <= CYCLES; done++) {
  await cycle();
  if (done === CYCLES / 2) cyclesMiddle = sample(`cycles: ${done} more`, session.runner.records.length);
}
const cyclesEnd = sample(`cycles: ${CYCLES} more`, session.runner.records.length);
check(cyclesMiddle.buffers === cyclesStart.buffers && cyclesEnd.buffers === cyclesStart.buffers, 'cycles: GPU buffers alive unchanged');
check(cyclesMiddle.bytes === cyclesStart.bytes && cyclesEnd.bytes === cyclesStart.bytes, 'cycles: GPU bytes unchanged');
check(cyclesEnd.heapMb - cyclesStart.heapMb < HEAP_MARGIN_MB, `cycles: heap within ${HEAP_MARGIN_MB} MB of the start`);

// Closing gives back the history and every buffer the session made.
await session.close();
const closed = sample('closed', 0);
check(closed.buffers === 0, 'closed: no GPU buffer of the session alive');
check(closed.heapMb - trainStart.heapMb < HEAP_MARGIN_MB, `closed: heap within ${HEAP_MARGIN_MB} MB of the start`);
gpu.device.destroy();
console.log(failures.length === 0 ? 'soak: flat' : `soak: ${failures.length} check(s) failed`);
process.exit(failures.length === 0 ? 0 : 1);
