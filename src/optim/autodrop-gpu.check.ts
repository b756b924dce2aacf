/**
 * GPU checks (src/check/verdict.ts) of AutoDrop's angle path (shaders/angle.wgsl) against the
 * float64 reference: window dots per run, the §3.8 vector, restarts, and the NQM angles of §3.6.
 * Run by autodrop-gpu.test.ts and the GPU check.
 */
import type { GpuCheck, Verdict } from '../check/verdict';
import { createStorage, upload } from '../gpu/buffers';
import { encodeDispatches } from '../gpu/commands';
import type { GpuContext } from '../gpu/device';
import { layoutParams, type ParamLayout, type StackedTensor } from '../gpu/param-layout';
import { readF32 } from '../gpu/readback';
import { angle, trainableVector, windowDots } from '../reference/autodrop';
import { nqmCurvatures, nqmTheoryAngle, simulateNqm, tailMean } from '../reference/nqm';
import { randomArray } from '../test/gpu';
import { angleFromDots, AutoDropController, parseAutoDrop } from './autodrop';
import { AutoDropGpu, DOT_FIELDS, runDots } from './autodrop-gpu';

function tensor(size: number, trainable = true): StackedTensor {
  return { size, trainable, decay: true };
}

interface Rig {
  gpu: GpuContext;
  layout: ParamLayout;
  tensors: StackedTensor[];
  params: GPUBuffer;
  angles: AutoDropGpu;
  destroy: () => void;
}

function rig(gpu: GpuContext, tensors: StackedTensor[], windows: number[]): Rig {
  const layout = layoutParams(tensors, windows.length);
  const params = createStorage(gpu.device, 'test.params', layout.total * 4);
  const angles = new AutoDropGpu({ gpu, layout, tensors, params }, windows);
  return { gpu, layout, tensors, params, angles, destroy: () => (angles.destroy(), params.destroy()) };
}

/** One trainer-like step: params ← values, then the step hook in a pass, its afterPass, submit, afterSubmit. */
function step(r: Rig, values: Float32Array, stepNumber: number, hook: ReturnType<AutoDropGpu['stepHook']>): void {
  upload(r.gpu.device, r.params, values);
  const encoder = r.gpu.device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  const after = hook(pass, stepNumber);
  pass.end();
  after?.afterPass?.(encoder);
  r.gpu.device.queue.submit([encoder.finish()]);
  after?.afterSubmit?.();
}

/** Random walk, odd tensor sizes, a frozen tensor, R = 3 with k = 4, 3 and off: dots match per window. */
async function checkRandomWalk(gpu: GpuContext, v: Verdict): Promise<void> {
  const tensors = [tensor(37), tensor(5, false), tensor(130), tensor(1)];
  const windows = [4, 3, 0];
  const r = rig(gpu, tensors, windows);
  const steps = 20;
  const seen: Array<{ step: number; runs: readonly number[]; dots: Float32Array }> = [];
  const hook = r.angles.stepHook((s, runs, dots) => seen.push({ step: s, runs, dots }));
  const drift = randomArray(r.layout.total, 7, 0.01);
  let values = randomArray(r.layout.total, 3);
  const history: Float32Array[] = [];
  for (let t = 1; t <= steps; t++) {
    const noise = randomArray(r.layout.total, 100 + t, 0.004);
    values = values.map((x, i) => x + drift[i] + noise[i]);
    // the frozen tensor jumps around: it must not enter any dot product
    const frozen = r.layout.slots[1];
    for (let i = frozen.offset; i < frozen.offset + frozen.runStride * 3; i++) values[i] = 1000 * Math.sin(t * 7 + i);
    history.push(values.slice());
    step(r, values, t, hook);
  }
  await r.angles.settle();
  v.equal('window ends', seen.map((s) => [s.step, [...s.runs]]), [
    [3, [1]], [4, [0]], [6, [1]], [8, [0]], [9, [1]], [12, [0, 1]], [15, [1]], [16, [0]], [18, [1]], [20, [0]],
  ]);
  let compared = 0;
  for (const { step: s, runs, dots } of seen) {
    for (const run of runs) {
      const trajectory = history.slice(0, s).map((x) => trainableVector(x, r.layout, tensors, run));
      const expected = windowDots(trajectory, windows[run]);
      const window = s / windows[run] - 1;
      const got = runDots(dots, run);
      v.equal(`windows run ${run} step ${s}`, got.windows, window + 1);
      const want = expected[window];
      if (want === null) {
        v.equal(`dots run ${run} step ${s}`, got.dots, null);
        continue;
      }
      if (!v.isTrue(`dots run ${run} step ${s} exist`, got.dots !== null)) continue;
      v.allClose(`run ${run} step ${s}`, [got.dots!.dot, got.dots!.normSq, got.dots!.prevNormSq], [want.dot, want.normSq, want.prevNormSq], { rtol: 1e-5, atol: 0 });
      v.closeTo(`angle run ${run} step ${s}`, angleFromDots(got.dots!), angleFromDots(want), 3);
      compared++;
    }
  }
  v.equal('windows compared', compared, 3 + 4);
  const final = await r.angles.readDots();
  v.equal('run 2 (off) dots', Array.from(final.subarray(2 * DOT_FIELDS, 3 * DOT_FIELDS)), [0, 0, 0, 0]);
  // run 0 closed a window at step 20 and run 2 never accumulates: both sums are zero; run 1 holds 2 steps
  const sums = await readF32(gpu.device, r.angles.sum, r.layout.total);
  v.record('sums', sums);
  for (const run of [0, 2]) v.isTrue(`sum of run ${run} is zero`, trainableVector(sums, r.layout, tensors, run).every((x) => x === 0));
  v.isTrue('sum of run 1 is not zero', trainableVector(sums, r.layout, tensors, 1).some((x) => x !== 0));
  r.destroy();
}

/** §3.8 vector: y = [0,0],[1,0],[2,1],[2,2] ⇒ ω₂ = ω₃ = 45°, with k = 1 and with k = 2 (x = y ± d). */
async function checkSpecVector(gpu: GpuContext, v: Verdict): Promise<void> {
  const r = rig(gpu, [tensor(2)], [1, 2]);
  const ys = [[0, 0], [1, 0], [2, 1], [2, 2]];
  const d = [0.5, -0.25];
  const controllers = [0, 1].map(() => new AutoDropController(parseAutoDrop(), 0.1));
  const angles: Array<Array<number | null>> = [[], []];
  const hook = r.angles.stepHook((_, runs, dots) => {
    for (const run of runs) angles[run].push(controllers[run].observe(runDots(dots, run).dots).angle);
  });
  const stride = r.layout.slots[0].runStride;
  for (let t = 1; t <= 8; t++) {
    const values = new Float32Array(r.layout.total);
    if (t <= 4) values.set(ys[t - 1], 0); // run 0, k = 1: x_t = y_{t−1}; afterwards it repeats y₃
    else values.set(ys[3], 0);
    const y = ys[Math.floor((t - 1) / 2)];
    const sign = t % 2 ? 1 : -1;
    values.set([y[0] + sign * d[0], y[1] + sign * d[1]], stride); // run 1, k = 2: window means are the y's
    step(r, values, t, hook);
  }
  await r.angles.settle();
  v.equal('angles of run 1', angles[1].length, 4);
  for (const run of [0, 1]) {
    v.equal(`ω₀ run ${run}`, angles[run][0], null);
    v.equal(`ω₁ run ${run}`, angles[run][1], null);
    v.closeTo(`ω₂ run ${run}`, angles[run][2] ?? NaN, 45, 4);
    v.closeTo(`ω₃ run ${run}`, angles[run][3] ?? NaN, 45, 4);
  }
  v.equal('ω₄ run 0', angles[0][4], 90); // s = 0 after the trajectory stops: cos = 0/(0 + ε)
  r.destroy();
}

/** setWindow and reset restart a run: three windows before its next angle. */
async function checkRestart(gpu: GpuContext, v: Verdict): Promise<void> {
  const r = rig(gpu, [tensor(70)], [2, 2]);
  const seen: Array<[number, number[], number[]]> = [];
  const hook = r.angles.stepHook((s, runs, dots) => seen.push([s, [...runs], runs.map((run) => runDots(dots, run).windows)]));
  const walk = (t: number) => randomArray(r.layout.total, 50 + t).map((x, i) => x * 0.01 + t * (i % 3));
  for (let t = 1; t <= 6; t++) step(r, walk(t), t, hook);
  r.angles.setWindow(1, 3, 6); // run 1: windows now end at 9, 12, …
  for (let t = 7; t <= 12; t++) step(r, walk(t), t, hook);
  await r.angles.settle();
  v.equal('window ends and counts', seen, [
    [2, [0, 1], [1, 1]], [4, [0, 1], [2, 2]], [6, [0, 1], [3, 3]], [8, [0], [4]], [9, [1], [1]], [10, [0], [5]], [12, [0, 1], [6, 2]],
  ]);
  r.angles.reset();
  v.equal('dots after reset', Array.from(await r.angles.readDots()), Array(8).fill(0));
  v.equal('ending runs at step 2', r.angles.endingRuns(2), [0]);
  v.throws('setWindow 1.5', () => r.angles.setWindow(0, 1.5, 0), /window must be an integer/);
  v.throws('one window for two runs', () => new AutoDropGpu({ gpu: r.gpu, layout: r.layout, tensors: r.tensors, params: r.params }, [1]), /1 window lengths for 2 runs/);
  r.destroy();
}

/** NQM (§3.6, Σ = I, x₀ = 1): GPU per-iteration angles of the float64 trajectory, last-2000 means within 0.5° of theory. */
async function checkNqm(gpu: GpuContext, v: Verdict): Promise<void> {
  const alphas = [0.06, 0.03, 0.01, 0.001];
  const predicted = [118.23, 103.28, 94.33, 90.43];
  const iterations = 20_000;
  const points = 2002; // x_{T−2001} … x_T: 2001 displacements, 2000 angles
  const sim = simulateNqm({ alphas, iterations, keepFrom: iterations + 1 - points, seed: 0 });
  alphas.forEach((alpha, i) => v.closeTo(`theory α = ${alpha}`, nqmTheoryAngle(alpha, nqmCurvatures()), predicted[i], 2));

  const r = rig(gpu, [tensor(200)], alphas.map(() => 1));
  const { device } = gpu;
  const perPoint = r.layout.total;
  const stride = r.layout.slots[0].runStride;
  const trajectory = new Float32Array(points * perPoint);
  for (let j = 0; j < points; j++) alphas.forEach((_, run) => trajectory.set(sim.trajectory[run][j], j * perPoint + run * stride));
  const source = createStorage(device, 'nqm.trajectory', trajectory);
  const rowBytes = alphas.length * DOT_FIELDS * 4;
  const results = createStorage(device, 'nqm.dots', points * rowBytes);
  v.equal('k = 1: every step closes every window', r.angles.prepareWindow(1), [0, 1, 2, 3]);
  const perSubmit = 256;
  for (let first = 0; first < points; first += perSubmit) {
    const encoder = device.createCommandEncoder();
    for (let j = first; j < Math.min(first + perSubmit, points); j++) {
      encoder.copyBufferToBuffer(source, j * perPoint * 4, r.params, 0, perPoint * 4);
      const pass = encoder.beginComputePass();
      encodeDispatches(pass, [r.angles.accumulateDispatch, ...r.angles.windowDispatches]);
      pass.end();
      encoder.copyBufferToBuffer(r.angles.dots, 0, results, j * rowBytes, rowBytes);
    }
    device.queue.submit([encoder.finish()]);
  }
  const rows = await readF32(device, results, points * alphas.length * DOT_FIELDS);
  v.record('dots', rows);
  source.destroy();
  results.destroy();

  alphas.forEach((alpha, run) => {
    const gpuAngles: number[] = [];
    let worst = 0;
    let windowsRight = true;
    for (let j = 0; j < points; j++) {
      const { windows, dots } = runDots(rows.subarray(j * alphas.length * DOT_FIELDS), run);
      windowsRight &&= windows === j + 1;
      if (!dots) continue;
      const omega = angleFromDots(dots);
      gpuAngles.push(omega);
      // window j: s = x_j − x_{j−1} of the kept points; the float64 angle of the same (f32-rounded) points
      const x = (k: number) => trajectory.subarray(k * perPoint + run * stride, k * perPoint + run * stride + 200);
      const s = (k: number) => Float64Array.from(x(k), (value, i) => value - x(k - 1)[i]);
      worst = Math.max(worst, Math.abs(omega - angle(s(j), s(j - 1))));
    }
    v.isTrue(`α = ${alpha}: windows done = j + 1 at every point`, windowsRight);
    v.equal(`α = ${alpha}: angles`, gpuAngles.length, 2000);
    v.less(`α = ${alpha}: worst per-iteration |ω_gpu − ω_f64|`, worst, 1e-4);
    const mean = tailMean(gpuAngles, 2000);
    const cpuMean = tailMean(sim.angles[run], 2000);
    v.less(`α = ${alpha}: GPU mean ${mean} vs float64 mean ${cpuMean}`, Math.abs(mean - cpuMean), 1e-4);
    v.less(`α = ${alpha}: GPU mean ${mean} vs predicted ${predicted[run]}`, Math.abs(mean - predicted[run]), 0.5);
  });
  r.destroy();
}

/** The GPU tests of autodrop-gpu.test.ts. */
export const AUTODROP_CHECKS: GpuCheck[] = [
  { name: 'random walk, odd tensor sizes, a frozen tensor, R = 3 with k = 4, 3 and off: dots match per window', family: 'angle', run: checkRandomWalk },
  { name: '§3.8 vector: y = [0,0],[1,0],[2,1],[2,2] ⇒ ω₂ = ω₃ = 45°, with k = 1 and with k = 2 (x = y ± d)', family: 'angle', run: checkSpecVector },
  { name: 'setWindow and reset restart a run: three windows before its next angle', family: 'angle', run: checkRestart },
  { name: 'NQM (§3.6, Σ = I, x₀ = 1): GPU per-iteration angles of the float64 trajectory, last-2000 means within 0.5° of theory', family: 'angle', run: checkNqm },
];
