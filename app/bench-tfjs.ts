// The TensorFlow.js side of `npm run bench` (bench-tfjs.html, headless Chromium): issue 7's
// workloads (src/cli/bench-core.ts benchCases) trained with TensorFlow.js 4.22 on its webgpu, wasm
// and cpu backends, timed like LR Lab's: repeats of N steps, the clock read after the last step's
// loss came back (await data()), median of repeats after warm-up. Kernels per step from tf.profile.
// The wasm binaries are bundled by Vite from node_modules (?url): nothing is fetched from the network.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { benchCases, median, timeRepeats, type BenchCase, type BenchResult, type CopyResult } from '../src/cli/bench-core';

declare global {
  interface Window {
    benchDone?: { adapter: string; results: BenchResult[]; copy?: CopyResult; notes?: string[] } | { error: string };
  }
}

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

const out = document.getElementById('out')!;
const params = new URLSearchParams(location.search);
const scale = Number(params.get('scale') ?? 1);
const repeats = Number(params.get('repeats') ?? 5);
const only = params.get('only')?.split(',');
const backends = (params.get('backends') ?? 'webgpu,wasm,cpu').split(',');

/** One training step: returns the loss (kept) after updating the variables. */
type Step = () => tf.Scalar;

const heUniform = (shape: number[], fanIn: number) => tf.variable(tf.randomUniform(shape, -Math.sqrt(6 / fanIn), Math.sqrt(6 / fanIn), 'float32', 1));
const zeros = (shape: number[]) => tf.variable(tf.zeros(shape));

function optimizerOf(spec: BenchCase, rate: number): tf.Optimizer {
  const rule = spec.optimizer.rule;
  if (rule === 'momentum') return tf.train.momentum(rate, spec.optimizer.momentum ?? 0.9);
  if (rule === 'adam') return tf.train.adam(rate);
  return tf.train.sgd(rate);
}

/** Builds the step of `spec` (variables, a fixed synthetic batch, the optimizer). */
function buildStep(spec: BenchCase): Step {
  const optimizer = optimizerOf(spec, spec.optimizer.rule === 'adam' ? 0.001 : 0.01);
  if (spec.kind === 'update') {
    const size = spec.updateSize!;
    const weight = tf.variable(tf.randomUniform([size], -0.5, 0.5, 'float32', 2), true, 'w');
    const grad = tf.randomUniform([size], -0.5, 0.5, 'float32', 3);
    return () => {
      optimizer.applyGradients({ w: grad });
      return tf.tidy(() => weight.slice([0], [1]).sum() as tf.Scalar);
    };
  }
  const batch = spec.batch;
  if (spec.id.startsWith('cnn')) {
    const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
    const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 5), 10);
    const k1 = heUniform([3, 3, 1, 16], 9) as tf.Variable<tf.Rank.R4>, b1 = zeros([16]);
    const k2 = heUniform([3, 3, 16, 32], 144) as tf.Variable<tf.Rank.R4>, b2 = zeros([32]);
    const w3 = heUniform([7 * 7 * 32, 10], 7 * 7 * 32), b3 = zeros([10]);
    const forward = () => {
      const h1 = tf.maxPool(tf.relu(tf.add(tf.conv2d(x, k1, 1, 'same'), b1)) as tf.Tensor4D, 2, 2, 'valid');
      const h2 = tf.maxPool(tf.relu(tf.add(tf.conv2d(h1, k2, 1, 'same'), b2)) as tf.Tensor4D, 2, 2, 'valid');
      const logits = tf.add(tf.matMul(tf.reshape(h2, [batch, 7 * 7 * 32]), w3), b3);
      return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
    };
    return () => optimizer.minimize(forward, true)!;
  }
  const tiny = spec.id === 'mlp-tiny';
  const widths = tiny ? [2, 8, 8, 1] : [784, 256, 256, 10];
  const x = tf.randomUniform([batch, widths[0]], tiny ? -1 : 0, 1, 'float32', 6);
  const y = tiny ? tf.randomUniform([batch, 1], -1, 1, 'float32', 7) : tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 8), 10);
  const layers = widths.slice(1).map((units, i) => ({ w: heUniform([widths[i], units], widths[i]), b: zeros([units]) }));
  const forward = () => {
    let h: tf.Tensor = x;
    layers.forEach(({ w, b }, i) => {
      h = tf.add(tf.matMul(h, w), b);
      if (i < layers.length - 1) h = tiny ? tf.tanh(h) : tf.relu(h);
    });
    return (tiny ? tf.losses.meanSquaredError(y, h) : tf.losses.softmaxCrossEntropy(y, h)) as tf.Scalar;
  };
  return () => optimizer.minimize(forward, true)!;
}

async function benchBackend(backend: string, spec: BenchCase): Promise<BenchResult> {
  const base = {
    workload: spec.id, name: spec.name, engine: 'TensorFlow.js' as const, platform: 'chromium' as const, backend, runs: 1, batch: spec.batch,
  };
  tf.engine().startScope();
  try {
    const step = buildStep(spec);
    const timing = await timeRepeats(async (count) => {
      let loss: tf.Scalar | null = null;
      for (let i = 0; i < count; i++) {
        loss?.dispose();
        loss = step();
      }
      await loss!.data(); // the clock stops once the last step's loss is on the CPU
      loss!.dispose();
    }, spec.maxSteps, repeats, scale);
    const profile = await tf.profile(() => step());
    return {
      ...base, msPerStep: median(timing.samples), samples: timing.samples, spread: [Math.min(...timing.samples), Math.max(...timing.samples)],
      stepsPerRepeat: timing.stepsPerRepeat, warmupMs: timing.warmupMs, dispatchesPerStep: profile.kernels.length, submitsPerStep: null,
    };
  } catch (error) {
    return { ...base, msPerStep: NaN, samples: [], spread: [NaN, NaN], stepsPerRepeat: 0, warmupMs: NaN, dispatchesPerStep: null, submitsPerStep: null, error: (error as Error).message };
  } finally {
    tf.engine().endScope();
    tf.disposeVariables();
  }
}

async function main() {
  const results: BenchResult[] = [];
  const notes: string[] = [`tfjs ${tf.version.tfjs}`, `crossOriginIsolated ${self.crossOriginIsolated}`];
  for (const backend of backends) {
    const ready = Promise.race([tf.setBackend(backend), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 60_000))]);
    if (!(await ready)) {
      notes.push(`backend ${backend} unavailable`);
      continue;
    }
    await tf.ready();
    if (backend === 'wasm') {
      const wasm = tf.backend() as unknown as { numThreads?: number };
      notes.push(`wasm threads ${String((tf.env().getFlags().WASM_HAS_MULTITHREAD_SUPPORT ? wasm.numThreads ?? '?' : 1))}, simd ${String(tf.env().getBool('WASM_HAS_SIMD_SUPPORT'))}`);
    }
    for (const spec of benchCases()) {
      if (only && !only.includes(spec.id)) continue;
      const result = await benchBackend(backend, spec);
      results.push(result);
      out.textContent += `${backend} ${spec.id}: ${result.error ?? `${result.msPerStep.toFixed(2)} ms/step`}\n`;
      console.log(`tfjs ${backend} ${spec.id}: ${result.error ?? `${result.msPerStep.toFixed(2)} ms/step, ${result.dispatchesPerStep} kernels`}`);
    }
  }
  window.benchDone = { adapter: 'tfjs', results, notes };
}

main().catch((error: unknown) => {
  out.textContent = `error: ${(error as Error).message}`;
  window.benchDone = { error: (error as Error).message };
});
