/**
 * `npm run gpu-check`: LR Lab on whatever adapter Dawn finds (a real GPU's Vulkan driver first,
 * SwiftShader as the fallback), in one command. Also bundled into plain JavaScript
 * (scripts/gpu-bundle.mjs) to run where only a Node binary, the bundle, Dawn's dawn.node and the
 * Vulkan loader can be brought.
 *   1. prints the adapter: vendor, architecture, subgroup sizes, features, limits, the Vulkan
 *      driver used, and the kernel choices it gets (src/gpu/tuning.ts);
 *   2. runs every GPU unit test file with vitest on it (where vitest is installed: not in the bundle);
 *   3. runs every GPU check (src/check/registry.ts: each GPU test's computation with its verdict
 *      against the float64 reference) --repeats times and compares the numbers bit for bit
 *      between repeats: a difference is a data race;
 *   4. runs the Node benchmark (src/cli/bench-node.ts), per-kernel profiles, and on a real GPU
 *      timings of other kernel choices (src/cli/gpu-tune.ts);
 * writing gpu-check.json, gpu-check.md and bench.json under --out. Exit status 1 when a check
 * fails, a repeat differs or the vitest run fails.
 *   --out DIR          output folder (default .bench/gpu-check)
 *   --repeats N        runs of each check (default 3)
 *   --only a,b         only the checks of these families (rng, gather, matmul, small-mlp, conv, pool, batchnorm, update, angle)
 *   --tuning cpu|gpu   the kernel choices of that profile instead of the adapter's
 *   --no-vitest / --no-checks / --no-bench / --no-profile / --no-tune / --tune
 *   --quick            shorter benchmark repeats (3 of them)
 *   --deadline S       skip what is left of the benchmark and tuning after S seconds (outputs are still written)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { GPU_CHECKS, TUNED_FAMILIES } from '../check/registry';
import { repeatCheck, type RepeatedCheck } from '../check/run';
import { withTuning, type GpuContext } from '../gpu/device';
import { acquireNodeGpu, vulkanSetup } from '../gpu/node';
import type { TuningProfile } from '../gpu/tuning';
import { benchCases } from './bench-core';
import { logResult, nodeBench, nodeSections, type NodeBench } from './bench-node';
import { profileCase, profileLines, type Profile } from './bench-profile';
import { tuneKernels, tuneTable, type TuneResult } from './gpu-tune';

const args = process.argv.slice(2);
const option = (name: string) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const outDir = option('--out') ?? '.bench/gpu-check';
const repeats = Number(option('--repeats') ?? 3);
const families = option('--only')?.split(',');
const tuningOption = option('--tuning') as TuningProfile | undefined;
const quick = args.includes('--quick');
const deadline = Number(option('--deadline') ?? Infinity) * 1000;
if (tuningOption && tuningOption !== 'cpu' && tuningOption !== 'gpu') throw new Error(`--tuning must be cpu or gpu, got ${tuningOption}`);
if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`--repeats must be a positive integer, got ${option('--repeats')}`);
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const pastDeadline = () => performance.now() - started > deadline;
const lines: string[] = [];
/** Prints a line and keeps it for gpu-check.md. */
const say = (line = '') => {
  console.log(line);
  lines.push(line);
};

mkdirSync(outDir, { recursive: true });
const report: Record<string, unknown> = {
  format: 'lr-lab-gpu-check', date: new Date().toISOString(), argv: args,
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: totalmem() / 2 ** 30, node: process.version, platform: `${process.platform}-${process.arch}` },
};
/** Writes what is known so far (a run stopped at its time limit still leaves its results). */
function save(): void {
  writeFileSync(join(outDir, 'gpu-check.json'), JSON.stringify(report, null, 2));
  writeFileSync(join(outDir, 'gpu-check.md'), `${lines.join('\n')}\n`);
}

/** 1. The adapter and the kernel choices it gets. */
function describeAdapter(gpu: GpuContext): void {
  const r = gpu.report;
  const setup = vulkanSetup();
  say(`# LR Lab GPU check, ${new Date().toISOString()}`);
  say();
  say(`adapter: ${[r.vendor, r.architecture, r.device, r.description].filter(Boolean).join(' / ')}`);
  say(`subgroup sizes: ${r.subgroupMinSize ?? '?'}–${r.subgroupMaxSize ?? '?'}; fallback adapter: ${r.isFallbackAdapter ?? '?'}; timestamp-query: ${gpu.timestamps}`);
  say(`Vulkan: loader ${setup.loader}; driver ${setup.drivers || '(the loader’s own search)'} (${setup.how})`);
  say(`features: ${r.features.join(', ')}`);
  const limitNames = ['maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupStorageSize', 'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupsPerDimension', 'maxStorageBuffersPerShaderStage'];
  say(`limits: ${limitNames.map((name) => `${name} ${r.limits[name]}`).join(', ')}`);
  say(`kernel choices (tuning ${gpu.tuning.profile}): ${Object.entries(gpu.tuning).filter(([key]) => key !== 'profile').map(([key, value]) => `${key} ${JSON.stringify(value)}`).join(', ')}`);
  report.adapter = r;
  report.vulkan = setup;
  report.tuning = gpu.tuning;
}

/** 2. The GPU unit test files, with vitest, in a child process (repository checkouts only). */
function runVitest(): void {
  const vitest = join('node_modules', 'vitest', 'vitest.mjs');
  if (args.includes('--no-vitest') || !existsSync(vitest) || !existsSync('src')) {
    say(`vitest: not run (${args.includes('--no-vitest') ? '--no-vitest' : 'no vitest here, e.g. the bundle'}): the checks below carry the GPU tests' assertions`);
    report.vitest = { ran: false };
    return;
  }
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.test.ts') && /\b(testGpu|expectCheck|acquireNodeGpu)\(/.test(readFileSync(path, 'utf8'))) files.push(path);
    }
  };
  walk('src');
  say(`vitest: ${files.length} GPU test files…`);
  const start = performance.now();
  const env = tuningOption ? { ...process.env, LRLAB_TUNING: tuningOption } : process.env;
  const result = spawnSync(process.execPath, [vitest, 'run', ...files.sort()], { stdio: 'inherit', env });
  const seconds = (performance.now() - start) / 1000;
  say(`vitest: exit status ${result.status} after ${seconds.toFixed(0)} s (${files.length} files)`);
  report.vitest = { ran: true, files, exitCode: result.status, seconds };
}

/** 3. Every check, `repeats` times, compared bit for bit; then the tuned families under the other profile on a real GPU. */
async function runChecks(gpu: GpuContext): Promise<RepeatedCheck[]> {
  const selected = GPU_CHECKS.filter((check) => !families || families.includes(check.family));
  const other = gpu.tuning.profile === 'gpu' && !tuningOption ? withTuning(gpu, 'cpu') : null;
  const runs: Array<[string, GpuContext, typeof selected]> = [[gpu.tuning.profile, gpu, selected]];
  if (other) runs.push(['cpu', other, selected.filter((check) => TUNED_FAMILIES.includes(check.family))]);
  const results: RepeatedCheck[] = [];
  say();
  say(`## Checks: each run ${repeats} times, numbers compared bit for bit between repeats`);
  for (const [profile, ctx, checks] of runs) {
    say(`tuning ${profile}: ${checks.length} checks`);
    for (const check of checks) {
      const result = await repeatCheck(check, ctx, repeats);
      results.push({ ...result, name: `${result.name} [tuning ${profile}]` });
      const verdict = result.failures.length ? 'FAIL' : result.difference ? 'RACE?' : 'ok';
      say(`${verdict.padEnd(5)} ${check.family.padEnd(9)} ${check.name} (${result.numbers} numbers, ${Math.max(...result.ms).toFixed(0)} ms)`);
      for (const failure of result.failures.slice(0, 5)) say(`      ${failure}`);
      if (result.difference) say(`      repeats differ: ${result.difference}`);
    }
  }
  const failed = results.filter((r) => r.failures.length).length;
  const differing = results.filter((r) => r.difference).length;
  say(`checks: ${results.length} run, ${failed} failed, ${differing} with repeats that differ`);
  report.checks = results;
  return results;
}

/** 4. The benchmark, the per-kernel profiles and (real GPUs, or --tune) other kernel choices. */
async function runBenchmarks(gpu: GpuContext): Promise<void> {
  const scale = quick ? 0.25 : 1;
  const benchRepeats = quick ? 3 : 5;
  say();
  say('## Benchmark (Node + Dawn)');
  const bench: NodeBench = await nodeBench(gpu, { scale, repeats: benchRepeats, onResult: (r) => logResult(r, elapsed), shouldStop: pastDeadline });
  report.bench = bench;
  writeFileSync(join(outDir, 'bench.json'), JSON.stringify(bench, null, 2));
  for (const section of nodeSections(bench)) {
    say();
    say(section);
  }
  save();
  const profiles: Record<string, Profile> = {};
  if (!args.includes('--no-profile')) {
    for (const [id, runs] of [['mlp-adam', 1], ['cnn-adam', 1], ['sweep', 576], ['adam-16m', 1]] as const) {
      if (pastDeadline()) break;
      const spec = benchCases().find((c) => c.id === id)!;
      const profile = await profileCase(gpu, spec, runs, benchRepeats);
      profiles[`${id} R=${runs}`] = profile;
      say();
      for (const line of profileLines(`profile of ${spec.name}, R=${runs}`, profile)) say(line);
    }
  }
  report.profiles = profiles;
  save();
  const tune = args.includes('--tune') || (gpu.tuning.profile === 'gpu' && !args.includes('--no-tune'));
  if (tune && !pastDeadline()) {
    const results: TuneResult[] = await tuneKernels(gpu, { scale: scale / 2, repeats: benchRepeats, pastDeadline });
    report.tune = results;
    say();
    say(tuneTable(results));
  }
}

const gpu = await acquireNodeGpu(tuningOption ? { tuning: tuningOption } : {});
describeAdapter(gpu);
save();
runVitest();
save();
const checks = args.includes('--no-checks') ? [] : await runChecks(gpu);
save();
if (!args.includes('--no-bench')) await runBenchmarks(gpu);
const vitest = report.vitest as { ran: boolean; exitCode?: number | null };
const ok = checks.every((c) => !c.failures.length && !c.difference) && (!vitest.ran || vitest.exitCode === 0);
report.ok = ok;
report.seconds = (performance.now() - started) / 1000;
say();
say(`GPU check ${ok ? 'passed' : 'FAILED'} in ${elapsed()}; written to ${outDir}/gpu-check.json, gpu-check.md${report.bench ? ', bench.json' : ''}`);
save();
gpu.device.destroy();
process.exit(ok ? 0 : 1);
