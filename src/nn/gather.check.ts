/**
 * GPU checks (src/check/verdict.ts) of the minibatch gather: every run's rows and labels from its
 * own order and the batch offset, u8 and f32, with the 4-features kernel and the scalar one. Run by
 * gather.test.ts and the GPU check.
 */
import type { GpuCheck, Verdict } from '../check/verdict';
import { runDispatches } from '../gpu/commands';
import type { GpuContext } from '../gpu/device';
import { readBuffer, readF32 } from '../gpu/readback';
import { createOrderBuffer, gatherDispatch, GpuSplit, writeOrders } from './gather';
import { mlp } from './models';
import { GpuNetwork } from './network';
import { resolveModel } from './spec';

async function checkGather(gpu: GpuContext, v: Verdict, features: number, u8: boolean): Promise<void> {
  const rows = 11;
  const runs = 2;
  const batch = 3;
  const offset = 4;
  const x = u8 ? Uint8Array.from({ length: rows * features }, (_, i) => (i * 37 + 11) % 256) : Float32Array.from({ length: rows * features }, (_, i) => Math.sin(i) * 3);
  const y = Uint32Array.from({ length: rows }, (_, i) => (i * 5) % 3);
  const scale = u8 ? 1 / 255 : 1;
  const shift = u8 ? -0.5 : 0;
  const split = new GpuSplit(gpu, { count: rows, x, y }, scale, shift, 'test');
  const net = new GpuNetwork(gpu, resolveModel(mlp({ inputSize: features, hidden: [4], outputs: 3 })), { runs, batch });
  const orders = [Uint32Array.from({ length: rows }, (_, i) => (i * 3 + 1) % rows), Uint32Array.from({ length: rows }, (_, i) => rows - 1 - i)];
  const order = createOrderBuffer(net, rows, runs);
  writeOrders(gpu, order, orders);
  net.writeStepInfo(1, offset, 0);
  const dispatch = gatherDispatch(net, split, order, rows);
  v.equal('kernel', dispatch.label, features % 4 === 0 ? 'gather4' : 'gather');
  runDispatches(gpu, [dispatch]);
  const got = await readF32(gpu.device, net.input, runs * batch * features);
  const labels = new Uint32Array(await readBuffer(gpu.device, net.labels, runs * batch * 4));
  for (let run = 0; run < runs; run++)
    for (let b = 0; b < batch; b++) {
      const row = orders[run][offset + b];
      const expected = Float32Array.from({ length: features }, (_, d) => Math.fround(Math.fround(x[row * features + d] * Math.fround(scale)) + Math.fround(shift)));
      const at = (run * batch + b) * features;
      v.allClose(`run ${run} row ${b}`, got.subarray(at, at + features), expected, { rtol: 1e-6, atol: 1e-7 });
      v.equal(`label run ${run} row ${b}`, labels[run * batch + b], y[row]);
    }
  net.destroy();
  split.destroy();
  order.destroy();
}

// features % 4 = 0 takes the 4-features-per-invocation kernel, the others the scalar one
const CASES: Array<[string, number, boolean]> = [['u8, 12 features', 12, true], ['u8, 7 features', 7, true], ['f32, 8 features', 8, false], ['f32, 5 features', 5, false]];

/** Each case: every run's rows and labels, from its own order and the batch offset. */
export const GATHER_CHECKS: GpuCheck[] = CASES.map(([name, features, u8]) => ({
  name: `${name}: every run's rows and labels, from its own order and the batch offset`,
  family: 'gather',
  run: (gpu, v) => checkGather(gpu, v, features, u8),
}));
