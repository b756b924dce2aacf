#!/usr/bin/env node
/**
 * Page soak (issue 18): the built playground in headless Chromium (WebGPU; SwiftShader when there is
 * no GPU), trained for a long time at full speed. A measurement script, not a test: it prints what it
 * saw and PASS/MISS per target, and exits 1 only on errors (a page or console error, an engine
 * error, a lost device, a timeout, or a reload that did not restore the records exactly).
 *
 * Every `--interval` seconds (15) it samples, and prints one line:
 *   - steps per second over the last interval (from the step counter the page shows);
 *   - the JS heap in use (V8 usedSize, CDP Runtime.getHeapUsage, MiB) of the page and of the engine's
 *     dedicated Worker (app/engine.worker.ts; a CDP session attached to the worker target);
 *   - main-thread long tasks (PerformanceObserver 'longtask', i.e. tasks over 50 ms) since the last sample.
 * With --cpu (the default for --sweep; --no-cpu turns it off), a light Chromium trace (categories
 * toplevel and blink.user_timing) runs alongside: at the end each
 * long task gets the main thread's CPU time within it (the trace's thread time), which tells the
 * page's own work from the time the thread waited for a core (on this machine SwiftShader, the
 * engine's Worker and the page share two cores: a task of 10 ms of work can last 60 ms). The
 * target counts tasks by their length, as the Long Tasks API does; the CPU time is reported beside.
 * (Not by default for the default soak: 100,000 steps at 300 steps/s make a trace too big to read.)
 *
 * Default soak: the default experiment (six runs) with a budget of `--steps` (100,000) steps. At
 * 50,000 steps (or at the end, when --steps is smaller) it pauses, waits for the autosave
 * (app/autosave.ts, app/persist.ts) to reach the last record, reloads the page, waits for the
 * restore (the records from the log, the training state from the autosave's last checkpoint, and a
 * replay of the steps between them) and compares every record the engine holds (exportJson: every
 * field of every run and step, wall time included) before and after; then trains on to the end.
 * Targets:
 *   - steps/s after 50,000 steps (mean from one interval after the resume to the end; without a
 *     resume, the last interval before the end) at least 90 % of the rate at 2,000 steps (the
 *     interval starting when the counter passed 2,000);
 *   - JS heap under 150 MiB in every sample, page and Worker;
 *   - no long task (> 50 ms) on the main thread while training, after its first minute (from the
 *     start, and from the resume after the reload); those of the first minutes, of the setup, of
 *     the reload (autosave, reload, restore) and of the end are reported apart.
 * Sweep soak (`--sweep`): 576 stacked runs of the playground's MLP (public/examples/lr-sweep.json
 * with 16 log-spaced rates: 6 methods × 16 rates × 6 replicates) for `--sweep-steps` (2,000) steps,
 * same samples; reported: steps/s at 10 % vs 90 % of the run (target: 90 % ≥ 0.9 × 10 %), heap max
 * (target < 150 MiB), long tasks after the first minute (target: none).
 *
 * Run it against a built page (it serves the folder with `vite preview` on --port, 4288):
 *   npm run build && npm run soak:page                     # or: node scripts/page-soak.mjs
 *   npx vite build --outDir /tmp/soak-dist && node scripts/page-soak.mjs --dist /tmp/soak-dist [--steps 100000]
 *   node scripts/page-soak.mjs --sweep [--sweep-steps 2000]
 * Options: --steps N (100000), --reload-at N (50000), --sweep, --sweep-steps N (2000), --interval S (15),
 *   --out FILE.json (every sample, the step trace and the figures), --dist DIR (dist),
 *   --port N (4288), --headed, --cpu / --no-cpu. CHROMIUM_PATH overrides /usr/bin/chromium (as in playwright.config.ts).
 * On SwiftShader (no GPU, two idle CPU cores) the default experiment trains at about 125 steps/s
 * (70 with other work on the cores) and the 576-run sweep at about 2 steps/s: a full default soak
 * takes about 15 minutes (the restore replays only the steps since the last checkpoint), the sweep
 * soak about 20 minutes. Quick checks that the script works:
 * --steps 3000 --interval 5, and --sweep --sweep-steps 100 --interval 5.
 * Heaps are V8's usedSize as sampled (garbage not yet collected included); the end adds the
 * figure after a forced full GC of both, which tells garbage from retained memory. Around the
 * reload, the heap is sampled after the pause and after the restore, each before the script reads
 * every record for its comparison (a document of all records in both threads, which is the probe's
 * memory, not the page's), and a full GC follows the comparison before training goes on.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const MIB = 1024 * 1024;
const HEAP_LIMIT_MIB = 150;
const LONG_TASK_MS = 50;
const GRACE_S = 60; // "after the first minute" of training (from the start, and from the resume after the reload)
const RELOAD_AT = 50_000;
const EARLY_AT = 2_000;

// ------------------------------------------------------------------------------------- options

function parseArgs(argv) {
  const options = { steps: 100_000, reloadAt: RELOAD_AT, sweep: false, sweepSteps: 2_000, interval: 15, out: null, dist: 'dist', port: 4288, headed: false, cpu: null };
  const number = (flag, value, min) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min) throw new Error(`${flag} needs a number ≥ ${min} (got ${value ?? 'nothing'})`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? arg.split(/=(.*)/s) : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--steps': options.steps = Math.round(number(flag, value(), 1)); break;
      case '--reload-at': options.reloadAt = Math.round(number(flag, value(), 1)); break;
      case '--sweep': options.sweep = true; break;
      case '--sweep-steps': options.sweepSteps = Math.round(number(flag, value(), 1)); break;
      case '--interval': options.interval = number(flag, value(), 1); break;
      case '--out': options.out = value(); break;
      case '--dist': options.dist = value(); break;
      case '--port': options.port = Math.round(number(flag, value(), 1)); break;
      case '--headed': options.headed = true; break;
      case '--cpu': options.cpu = true; break;
      case '--no-cpu': options.cpu = false; break;
      case '-h': case '--help':
        console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0].replace(/^#!.*\n\/\*\*\n?/, '').replace(/^ \* ?/gm, ''));
        process.exit(0);
        break;
      default: throw new Error(`unknown option ${arg} (see --help)`);
    }
  }
  return options;
}

// ----------------------------------------------------------------------------------- utilities

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fmt = (x, digits = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits));
/** Steps per second between two trace points (null when they are the same moment). */
const rate = (a, b) => (b.at > a.at ? ((b.step - a.step) * 1000) / (b.at - a.at) : null);
const verdict = (ok) => (ok === null ? 'n/a ' : ok ? 'PASS' : 'MISS');

/** Polls `probe` until it returns a truthy value (which it resolves to); throws after `timeoutMs` saying `what`. */
async function until(what, probe, timeoutMs, everyMs = 250) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** `vite preview` of `dist` on `port`; resolves to the child once the page answers. */
async function startServer(dist, port) {
  const child = spawn('npx', ['vite', 'preview', '--outDir', dist, '--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: npx, vite and esbuild go together at the end
  });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}/`;
  try {
    await until('the preview server', async () => {
      if (child.exitCode !== null) throw new Error(`vite preview exited (${child.exitCode}): ${log.trim()}`);
      return fetch(url).then((r) => r.ok, () => false);
    }, 60_000, 300);
  } catch (error) {
    stopServer(child);
    throw error;
  }
  return { child, url };
}

function stopServer(child) {
  if (child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
}

// ------------------------------------------------------------------------------- page helpers

/**
 * Installed before every load: main-thread long tasks with their wall-clock start (ms since epoch),
 * and every change of the step counter with its time (exact rates between the counter's updates,
 * which come a block of steps at a time, without polling fast).
 */
function pageProbes() {
  window.__soak = { longTasks: [], steps: [] };
  let shown = null;
  // Polled (every 100 ms), not observed: a MutationObserver on the whole document runs on every
  // chart redraw's DOM changes and itself added long tasks to what it measured.
  setInterval(() => {
    const text = document.querySelector('[data-testid="step"]')?.textContent;
    if (text === undefined || text === shown) return;
    shown = text;
    window.__soak.steps.push({ at: Date.now(), step: Number(text) });
  }, 100);
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__soak.longTasks.push({ at: performance.timeOrigin + entry.startTime, ms: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    /* no long-task API: none are reported */
  }
}

/** The step counter and status the page shows, with the page's wall clock, and the counter's changes since the last call. */
const readCounter = (page) =>
  page.evaluate(() => {
    const changes = window.__soak?.steps ?? [];
    if (window.__soak) window.__soak.steps = [];
    return {
      at: Date.now(),
      step: Number(document.querySelector('[data-testid="step"]')?.textContent ?? NaN),
      status: document.querySelector('[data-testid="status"]')?.textContent ?? '',
      changes,
    };
  });

const engineState = (page) => page.evaluate(() => window.lrlab?.engine.state() ?? null);

const drainLongTasks = (page) =>
  page.evaluate(() => {
    const tasks = window.__soak?.longTasks ?? [];
    if (window.__soak) window.__soak.longTasks = [];
    return tasks;
  });

/** The step the results saved in IndexedDB reach (the head of the log; -1 if none): e2e/helpers.ts savedStep. */
const savedStep = (page) =>
  page.evaluate(
    () =>
      new Promise((resolve) => {
        const open = indexedDB.open('lr-lab');
        open.onerror = () => resolve(-1);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('experiment')) return resolve(-1);
          const request = db.transaction('experiment').objectStore('experiment').get('results-head');
          request.onsuccess = () => {
            const head = request.result;
            resolve(head && head.chunks > 0 ? head.step : -1);
            db.close();
          };
          request.onerror = () => resolve(-1);
        };
      }),
  );

/** What the engine holds (its results document: runs, step, divergence, every record), wall time included. */
const engineResults = (page) =>
  page.evaluate(async () => {
    const doc = JSON.parse((await window.lrlab.engine.exportJson()).join(''));
    return { step: doc.step, runs: doc.runs, diverged: doc.diverged, records: doc.records };
  });

/** Compares two engineResults field by field; `ok` is true only when every value is identical. */
function compareResults(before, after) {
  const problems = [];
  for (const key of ['step', 'runs', 'diverged']) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) problems.push(`${key}: ${JSON.stringify(before[key]).slice(0, 120)} before, ${JSON.stringify(after[key]).slice(0, 120)} after`);
  }
  const fields = [...new Set([...Object.keys(before.records), ...Object.keys(after.records)])];
  const rows = before.records.step?.length ?? 0;
  const differing = {};
  let first = null;
  for (const field of fields) {
    const a = before.records[field];
    const b = after.records[field];
    if (!a || !b) {
      problems.push(`record field ${field} ${a ? 'missing after' : 'missing before'} the reload`);
      continue;
    }
    if (a.length !== b.length) problems.push(`${field}: ${a.length} values before, ${b.length} after`);
    let count = 0;
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (JSON.stringify(a[i]) === JSON.stringify(b[i])) continue;
      count++;
      first ??= `run ${before.records.run?.[i]} step ${before.records.step?.[i]} ${field}: ${JSON.stringify(a[i])} before, ${JSON.stringify(b[i])} after`;
    }
    if (count > 0) differing[field] = count;
  }
  if (Object.keys(differing).length > 0) problems.push(`differing values per field: ${JSON.stringify(differing)}; first: ${first}`);
  return { ok: problems.length === 0, records: rows, values: rows * fields.length, problems };
}

/** Heaps over CDP: the page's main isolate, and the engine Worker's through a non-flattened auto-attach. */
class Heaps {
  constructor(cdp) {
    this.cdp = cdp;
    this.workers = new Map(); // sessionId → url
    this.pending = new Map();
    this.nextId = 1;
    cdp.on('Target.attachedToTarget', ({ sessionId, targetInfo }) => {
      if (targetInfo.type === 'worker' && targetInfo.url.includes('engine.worker')) this.workers.set(sessionId, targetInfo.url);
    });
    cdp.on('Target.detachedFromTarget', ({ sessionId }) => this.workers.delete(sessionId));
    cdp.on('Target.receivedMessageFromTarget', ({ message }) => {
      const reply = JSON.parse(message);
      const done = this.pending.get(reply.id);
      if (done) {
        this.pending.delete(reply.id);
        done(reply);
      }
    });
  }

  static async attach(page) {
    const cdp = await page.context().newCDPSession(page);
    const heaps = new Heaps(cdp);
    // flatten: false, so that the worker is reached through this session (Target.sendMessageToTarget).
    await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
    return heaps;
  }

  async workerCall(method, params = {}, timeoutMs = 10_000) {
    const sessionId = [...this.workers.keys()].at(-1);
    if (!sessionId) return null;
    const id = this.nextId++;
    const reply = new Promise((resolve) => {
      this.pending.set(id, resolve);
      setTimeout(() => this.pending.delete(id) && resolve(null), timeoutMs);
    });
    await this.cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(() => null);
    const answer = await reply;
    return answer?.result ?? null;
  }

  /** { page, worker } usedSize in MiB (null where not reachable). */
  async sample() {
    const page = await this.cdp.send('Runtime.getHeapUsage').catch(() => null);
    const worker = await this.workerCall('Runtime.getHeapUsage');
    return { page: page ? page.usedSize / MIB : null, worker: worker ? worker.usedSize / MIB : null };
  }

  /** The same after a full garbage collection in both (the end of a soak: what is really retained). */
  async afterGc() {
    await this.cdp.send('HeapProfiler.collectGarbage').catch(() => null);
    await this.workerCall('HeapProfiler.collectGarbage', {}, 30_000);
    return this.sample();
  }
}

// ----------------------------------------------------------------------------------- the soak

class Soak {
  constructor(page, heaps, options, kind) {
    this.page = page;
    this.heaps = heaps;
    this.options = options;
    this.kind = kind;
    this.errors = []; // page, console and engine errors (they stop the soak)
    this.failures = []; // failed checks (reported as errors at the end; the soak goes on)
    this.samples = [];
    this.trace = []; // { at, step, segment }: every change of the step counter (at: ms since epoch)
    this.longTasks = []; // { at, ms, phase }: phase 'setup', 'first minute', 'training' (the target), 'reload' or 'end'
    this.phases = [{ at: 0, name: 'setup' }]; // when each phase began (ms since epoch)
    this.events = []; // { t, what }
    this.t0 = null; // wall clock (ms) at the start of training
    this.browser = null; // tracing (startTrace) when set
    this.sync = null; // the page's wall clock (ms) at the trace's mark 'soak-sync'
    this.segment = 0;
    this.lastSample = null;
    this.extra = {};
  }

  t(at = Date.now()) {
    return (at - (this.t0 ?? at)) / 1000;
  }

  /** The counter now (readCounter); its changes since the last read join the trace, in the current segment. */
  async counter() {
    const counter = await readCounter(this.page);
    for (const change of counter.changes) this.trace.push({ ...change, segment: this.segment });
    return counter;
  }

  note(what) {
    const t = this.t0 === null ? 0 : this.t();
    this.events.push({ t, what });
    console.log(`[${fmt(t, 0).padStart(5)} s] ${what}`);
  }

  watch() {
    this.page.on('pageerror', (error) => this.errors.push(`page error: ${error.message}`));
    this.page.on('console', (message) => {
      if (message.type() === 'error') this.errors.push(`console error: ${message.text()}`);
    });
    this.page.on('crash', () => this.errors.push('the page crashed'));
  }

  async open(url) {
    await this.page.goto(url);
    await until('the page to be ready', async () => (await this.counter()).status === 'ready', 120_000, 500);
    await this.fullSpeed();
  }

  async fullSpeed() {
    await this.page.getByTestId('speed').selectOption('0');
  }

  /** Loads a config document through the page's "Open config" file input; waits for its budget to show. */
  async loadConfig(config, budget) {
    const dir = mkdtempSync(join(tmpdir(), 'lrlab-soak-'));
    const file = join(dir, 'soak-config.json');
    writeFileSync(file, JSON.stringify(config, null, 2));
    try {
      await this.page.getByTestId('config-file').setInputFiles(file);
      await until(`the experiment "${config.name}" with a budget of ${budget} steps`, async () => {
        const shown = await this.page.evaluate(() => ({
          name: document.querySelector('[data-testid="experiment"]')?.textContent ?? '',
          status: document.querySelector('.controls .status')?.textContent ?? '',
        }));
        return shown.name === config.name && shown.status.includes(`of ${budget}`);
      }, 120_000, 500);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  async train() {
    await this.fullSpeed();
    this.segment++;
    this.phase('training');
    await this.page.getByTestId('train').click();
    await until('training to start', async () => ['training', 'done'].includes((await this.counter()).status), 60_000, 100);
  }

  async pause() {
    const { status } = await this.counter();
    if (status === 'training') await this.page.getByTestId('train').click();
    return until('the pause', async () => {
      const counter = await this.counter();
      return ['paused', 'done'].includes(counter.status) && counter;
    }, 120_000, 100);
  }

  /** Reads the counter while training; resolves when `stop(counter)` is true. Samples every interval. */
  async trainUntil(stop) {
    for (;;) {
      const counter = await this.counter();
      if (Date.now() - this.lastSample.at >= this.options.interval * 1000) await this.sample(counter);
      if (stop(counter)) return counter;
      if (counter.status !== 'training') {
        await this.sample(counter);
        if (counter.status === 'done' || stop(counter)) return counter;
        throw new Error(`training stopped at step ${counter.step} with status "${counter.status}"`);
      }
      if (this.errors.length > 0) throw new Error(this.errors[0]);
      await sleep(1000);
    }
  }

  /** One sample: steps/s since the previous one, heaps, long tasks; one line out. */
  async sample(counter) {
    counter ??= await this.counter();
    const heap = await this.heaps.sample();
    const state = await engineState(this.page).catch(() => null);
    const tasks = (await drainLongTasks(this.page)).map((task) => ({ at: task.at, ms: task.ms, phase: this.phaseOf(task.at) }));
    this.longTasks.push(...tasks);
    const previous = this.lastSample;
    const seconds = (counter.at - previous.at) / 1000;
    const sameSegment = previous.segment === this.segment;
    const rate = sameSegment && seconds > 0 ? (counter.step - previous.step) / seconds : null;
    const sample = {
      t: this.t(counter.at),
      step: counter.step,
      status: counter.status,
      stepsPerSecond: rate,
      engineStepsPerSecond: state?.speed?.stepsPerSecond ?? null,
      pageHeapMiB: heap.page,
      workerHeapMiB: heap.worker,
      longTasks: tasks.length,
      longestTaskMs: tasks.length ? Math.max(...tasks.map((task) => task.ms)) : 0,
      lateLongTasks: tasks.filter((task) => task.phase === 'training').length,
    };
    this.samples.push(sample);
    this.lastSample = { at: counter.at, step: counter.step, segment: this.segment };
    if (state?.error) this.errors.push(`engine error: ${state.error}`);
    if (state?.deviceLost) this.errors.push('the GPU device was lost');
    console.log(
      `[${fmt(sample.t, 0).padStart(5)} s] step ${String(sample.step).padStart(7)} ${sample.status.padEnd(8)} ` +
        `${fmt(rate, 1).padStart(7)} steps/s (engine ${fmt(sample.engineStepsPerSecond, 1)}) · heap page ${fmt(heap.page)} MiB, worker ${fmt(heap.worker)} MiB · ` +
        `long tasks ${tasks.length}${tasks.length ? ` (max ${fmt(sample.longestTaskMs, 0)} ms${sample.lateLongTasks ? `, ${sample.lateLongTasks} after the first minute` : ''})` : ''}`,
    );
    return sample;
  }

  /** A new phase from now on: 'training' (its first GRACE_S seconds are 'first minute'), 'reload' or 'end'. */
  phase(name) {
    this.phases.push({ at: Date.now(), name });
  }

  phaseOf(at) {
    const phase = this.phases.findLast((p) => p.at <= at) ?? this.phases[0];
    return phase.name === 'training' && at - phase.at < GRACE_S * 1000 ? 'first minute' : phase.name;
  }

  /** After the counter reached the budget: waits for the status to leave 'training' (the last block and evaluation). */
  async settle(budget) {
    const reached = Date.now();
    const counter = await until('the end of training', async () => {
      const c = await this.counter();
      if (this.errors.length > 0) throw new Error(this.errors[0]);
      return c.status !== 'training' && c.status !== 'pausing' && c;
    }, 300_000, 250);
    const seconds = (Date.now() - reached) / 1000;
    this.note(`${counter.status} at step ${counter.step} of ${budget}${seconds >= 1 ? ` (${fmt(seconds)} s after the counter reached it)` : ''}`);
    return counter;
  }

  /** Starts the clock and the sampling at the training start. */
  /** Starts the light trace that gives long tasks their CPU time (cpuTimes). */
  async startTrace(browser) {
    await browser.startTracing(undefined, { categories: ['toplevel', 'blink.user_timing'] });
    this.browser = browser;
  }

  /** Marks the trace with the page's wall clock now (how trace time maps to the long tasks' times). */
  async markTrace() {
    if (this.browser) this.sync = await this.page.evaluate(() => (performance.mark('soak-sync'), performance.timeOrigin + performance.now()));
  }

  /**
   * Stops the trace and gives each long task its CPU time (cpuMs): the main thread's thread time in
   * the trace's task of the same start and length (the outermost one where tasks nest).
   */
  async cpuTimes() {
    const browser = this.browser;
    if (!browser) return;
    this.browser = null;
    let events;
    try {
      events = JSON.parse((await browser.stopTracing()).toString('utf8')).traceEvents ?? [];
    } catch (error) {
      this.note(`the trace could not be read (${error.message}): long tasks without their CPU time`);
      return;
    }
    const mark = events.find((e) => e.name === 'soak-sync');
    if (!mark || this.sync === null) return;
    const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
    const tasks = events
      .filter((e) => e.ph === 'X' && (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') && e.dur > (LONG_TASK_MS - 10) * 1000 && e.tdur !== undefined && mains.has(`${e.pid}:${e.tid}`))
      .map((e) => ({ at: this.sync + (e.ts - mark.ts) / 1000, ms: e.dur / 1000, cpuMs: e.tdur / 1000 }));
    for (const task of this.longTasks) {
      const near = tasks.filter((t) => Math.abs(t.at - task.at) < 25 && Math.abs(t.ms - task.ms) < 5).sort((a, b) => b.ms - a.ms);
      if (near.length) task.cpuMs = near[0].cpuMs;
    }
  }

  begin(counter) {
    this.t0 = counter.at;
    this.lastSample = { at: counter.at, step: counter.step, segment: this.segment };
  }

  /**
   * Steps/s over about `interval` seconds from the update at which the counter first reached `step`
   * (to the last update within the window, or the next one; never across a pause or a reload).
   */
  rateFrom(step, windowS = this.options.interval) {
    const i = this.trace.findIndex((point) => point.segment > 0 && point.step >= step);
    if (i < 0) return null;
    const start = this.trace[i];
    let j = i;
    for (let k = i + 1; k < this.trace.length && this.trace[k].segment === start.segment; k++) {
      if (this.trace[k].at > start.at + windowS * 1000 && j > i) break;
      j = k;
    }
    return rate(start, this.trace[j]);
  }

  /** Steps/s over the updates of `segment` from wall-clock time `fromAt` (ms since epoch) on. */
  rateOfSegment(segment, fromAt = -Infinity) {
    const points = this.trace.filter((point) => point.segment === segment && point.at >= fromAt);
    return points.length < 2 ? null : rate(points[0], points.at(-1));
  }

  /** Steps/s over the last `windowS` seconds of `segment`'s updates (at least its last two). */
  rateBefore(segment, windowS = this.options.interval) {
    const points = this.trace.filter((point) => point.segment === segment);
    if (points.length < 2) return null;
    const end = points.at(-1);
    const start = points.find((point) => point.at >= end.at - windowS * 1000);
    return rate(start === end ? points.at(-2) : start, end);
  }

  heapFigures() {
    const max = (key) => Math.max(...this.samples.map((s) => s[key] ?? -Infinity));
    const first = (key) => this.samples.find((s) => s[key] !== null)?.[key] ?? null;
    const last = (key) => [...this.samples].reverse().find((s) => s[key] !== null)?.[key] ?? null;
    return {
      page: { first: first('pageHeapMiB'), max: max('pageHeapMiB'), last: last('pageHeapMiB') },
      worker: { first: first('workerHeapMiB'), max: max('workerHeapMiB'), last: last('workerHeapMiB') },
      workerSampled: this.samples.filter((s) => s.workerHeapMiB !== null).length,
    };
  }

  longTaskFigures() {
    const max = (tasks) => (tasks.length ? Math.max(...tasks.map((task) => task.ms)) : 0);
    const figures = { all: this.longTasks.length };
    for (const phase of ['setup', 'first minute', 'training', 'reload', 'end']) {
      const tasks = this.longTasks.filter((task) => task.phase === phase && task.ms > LONG_TASK_MS);
      const timed = tasks.filter((task) => task.cpuMs !== undefined);
      figures[phase] = {
        count: tasks.length,
        maxMs: max(tasks),
        totalMs: tasks.reduce((sum, task) => sum + task.ms, 0),
        // The main thread's CPU time in them (where the trace has the task).
        timed: timed.length,
        maxCpuMs: timed.length ? Math.max(...timed.map((task) => task.cpuMs)) : null,
        overByCpu: timed.filter((task) => task.cpuMs > LONG_TASK_MS).length,
      };
    }
    return figures;
  }
}

// ----------------------------------------------------------------------------- the two soaks

async function defaultSoak(soak, url, options) {
  await soak.open(url);
  const experiment = await soak.page.getByTestId('experiment').textContent();
  const config = await soak.page.evaluate(() => window.lrlab.engine.config());
  if (!config) throw new Error('the page opened no experiment');
  const runs = (config.runs?.length ?? 0) * (config.replicates ?? 1);
  const budget = options.steps;
  await soak.loadConfig({ ...config, budget: { unit: 'steps', amount: budget } }, budget);
  const reloadAt = Math.min(options.reloadAt, budget);
  console.log(`default soak: "${experiment}", ${runs} stacked runs, ${budget} steps at full speed; reload at ${reloadAt === budget ? 'the end' : `${reloadAt} steps`}; a sample every ${options.interval} s`);
  const beginCounter = await soak.counter();
  await soak.markTrace();
  await soak.train();
  soak.begin(beginCounter);
  soak.note(`training (segment ${soak.segment})`);

  await soak.trainUntil((c) => c.step >= reloadAt || c.status === 'done');
  const paused = reloadAt >= budget ? await soak.settle(budget) : await soak.pause();
  soak.phase('reload');
  if (reloadAt < budget) soak.note(`${paused.status} at step ${paused.step}`);

  // The reload: every record restored exactly. The heap is sampled before the comparison's own
  // exportJson (every record as one JSON document in both threads: the probe's garbage, not the page's).
  const pausedAt = Date.now();
  await soak.sample();
  const before = await engineResults(soak.page);
  const lastRecordStep = (before.records.step ?? []).reduce((a, b) => Math.max(a, b), -1);
  await until(`the autosave to reach step ${lastRecordStep}`, async () => (await savedStep(soak.page)) === lastRecordStep, 60_000, 250);
  await sleep(Math.max(0, 1500 - (Date.now() - pausedAt)));
  soak.note(`autosave at step ${lastRecordStep} (${before.records.step?.length ?? 0} records); reloading`);
  const reloadStart = Date.now();
  soak.segment++;
  await soak.page.reload();
  const rateSoFar = soak.rateOfSegment(1) || 50;
  const restoreTimeout = Math.max(180_000, (3 * paused.step / rateSoFar) * 1000);
  const lastStatus = await until(
    'the restore after the reload',
    async () => {
      const notes = await soak.page.evaluate(() => document.querySelector('[data-testid="notes"]')?.textContent ?? '');
      const shown = await soak.counter();
      if (soak.errors.length > 0) throw new Error(soak.errors[0]);
      return notes.includes('restored your last experiment') && ['paused', 'done'].includes(shown.status) && shown;
    },
    restoreTimeout,
    500,
  );
  const restoreSeconds = (Date.now() - reloadStart) / 1000;
  await soak.sample(); // the restore's own footprint
  const after = await engineResults(soak.page);
  const restore = compareResults(before, after);
  restore.seconds = restoreSeconds;
  restore.step = paused.step;
  const notes = await soak.page.evaluate(() => document.querySelector('[data-testid="notes"]')?.textContent ?? '');
  soak.note(`restored step ${lastStatus.step} in ${fmt(restoreSeconds)} s: ${restore.ok ? `all ${restore.records} records (${restore.values} values) identical` : restore.problems.join('; ')}`);
  // Counted as an error at the exit, without stopping the soak.
  if (!restore.ok) soak.failures.push(`the reload did not restore the records exactly: ${restore.problems.join('; ')}`);
  if (/differ/i.test(notes)) soak.note(`notes after the restore: ${notes}`);
  // The comparison's documents are garbage now: collected before training goes on, so that the
  // samples that follow measure the page, not the probe.
  await soak.heaps.afterGc();

  // On to the end.
  let resumeT = null;
  if (lastStatus.status !== 'done' && lastStatus.step < budget) {
    await soak.train();
    resumeT = Date.now();
    soak.lastSample = { at: Date.now(), step: lastStatus.step, segment: soak.segment };
    soak.note(`resumed at step ${lastStatus.step} (segment ${soak.segment})`);
    await soak.trainUntil((c) => c.status === 'done' || c.step >= budget);
    await soak.settle(budget);
  }
  soak.phase('end');
  await soak.sample();
  await soak.cpuTimes();
  const gc = await soak.heaps.afterGc();
  soak.note(`after a full GC: heap page ${fmt(gc.page)} MiB, worker ${fmt(gc.worker)} MiB`);

  // Figures.
  const earlyAt = Math.min(EARLY_AT, Math.floor(budget / 2));
  const early = soak.rateFrom(earlyAt);
  const late = resumeT !== null ? soak.rateOfSegment(soak.segment, resumeT + options.interval * 1000) ?? soak.rateOfSegment(soak.segment) : soak.rateBefore(1);
  const lateLast = resumeT !== null ? soak.rateBefore(soak.segment) : null;
  const heap = soak.heapFigures();
  const tasks = soak.longTaskFigures();
  const ratio = early && late ? late / early : null;
  const heapOk = heap.workerSampled > 0 ? Math.max(heap.page.max, heap.worker.max) < HEAP_LIMIT_MIB : null;
  const figures = {
    kind: 'default',
    runs,
    steps: budget,
    rateEarly: early,
    rateLate: late,
    rateLastInterval: lateLast,
    rateRatio: ratio,
    rateOk: ratio === null ? null : ratio >= 0.9,
    heap,
    heapAfterGc: gc,
    heapOk,
    longTasks: tasks,
    longTasksOk: tasks.training.count === 0,
    restore,
  };
  const lateWhat = resumeT !== null ? `after ${paused.step} steps (resume + ${options.interval} s → end)` : `at the end (last ${options.interval} s; no training after the reload)`;
  printTable(`default soak: ${runs} runs × ${budget} steps`, [
    [`steps/s at ${earlyAt} steps (next ${options.interval} s)`, fmt(early), ''],
    [`steps/s ${lateWhat}`, fmt(late), ''],
    ...(lateLast !== null ? [['steps/s over the last interval', fmt(lateLast), '']] : []),
    ['late / early (target ≥ 0.90)', fmt(ratio, 3), verdict(figures.rateOk)],
    [`JS heap max, page (first → last)`, `${fmt(heap.page.max)} MiB (${fmt(heap.page.first)} → ${fmt(heap.page.last)})`, verdict(heapOk === null ? null : heap.page.max < HEAP_LIMIT_MIB)],
    [`JS heap max, Worker (first → last)`, `${fmt(heap.worker.max)} MiB (${fmt(heap.worker.first)} → ${fmt(heap.worker.last)})`, verdict(heap.workerSampled ? heap.worker.max < HEAP_LIMIT_MIB : null)],
    ['JS heap after a full GC, page / Worker', `${fmt(gc.page)} / ${fmt(gc.worker)} MiB`, ''],
    [`long tasks training after the first minute (> ${LONG_TASK_MS} ms)`, taskCell(tasks.training), verdict(figures.longTasksOk)],
    [`  their main-thread CPU time (tasks over ${LONG_TASK_MS} ms of it)`, cpuCell(tasks.training), ''],
    ['long tasks in the first minute of training (start, resume)', taskCell(tasks['first minute']), ''],
    ['long tasks while reloading (autosave, reload, restore)', taskCell(tasks.reload), ''],
    ['long tasks at setup / after the end', `${taskCell(tasks.setup)} / ${taskCell(tasks.end)}`, ''],
    [`reload at step ${paused.step}: records identical`, `${restore.records} records, restored in ${fmt(restore.seconds)} s`, restore.ok ? 'PASS' : 'FAIL'],
  ]);
  return figures;
}

/** The sweep: public/examples/lr-sweep.json with 16 rates and `steps` steps (6 × 16 × 6 = 576 stacked runs). */
function sweepConfig(steps) {
  const base = JSON.parse(readFileSync(join(ROOT, 'public/examples/lr-sweep.json'), 'utf8'));
  const axis = { ...base.sweep.axes[0], count: 16 };
  const runs = base.runs.length * axis.count * (base.replicates ?? 1);
  return {
    runs,
    config: {
      ...base,
      name: `Soak: ${runs}-run LR sweep`,
      description: `page-soak.mjs: ${base.runs.length} methods × ${axis.count} rates × ${base.replicates} replicates, ${steps} steps`,
      budget: { unit: 'steps', amount: steps },
      sweep: { ...base.sweep, axes: [axis] },
    },
  };
}

async function sweepSoak(soak, url, options) {
  await soak.open(url);
  const steps = options.sweepSteps;
  const { runs, config } = sweepConfig(steps);
  await soak.loadConfig(config, steps);
  const stacked = (await engineState(soak.page))?.diverged?.length ?? null;
  console.log(`sweep soak: ${runs} stacked runs (the engine holds ${stacked}), ${steps} steps at full speed; a sample every ${options.interval} s`);
  if (stacked !== runs) soak.errors.push(`the sweep has ${stacked} stacked runs in the engine, ${runs} expected`);
  const beginCounter = await soak.counter();
  await soak.markTrace();
  await soak.train();
  soak.begin(beginCounter);
  soak.note('training');
  await soak.trainUntil((c) => c.status === 'done' || c.step >= steps);
  await soak.settle(steps);
  soak.phase('end');
  await soak.sample();
  await soak.cpuTimes();
  const gc = await soak.heaps.afterGc();
  soak.note(`after a full GC: heap page ${fmt(gc.page)} MiB, worker ${fmt(gc.worker)} MiB`);

  const at10 = soak.rateFrom(Math.round(steps * 0.1));
  const at90 = soak.rateFrom(Math.round(steps * 0.9));
  const heap = soak.heapFigures();
  const tasks = soak.longTaskFigures();
  const ratio = at10 && at90 ? at90 / at10 : null;
  const heapOk = heap.workerSampled > 0 ? Math.max(heap.page.max, heap.worker.max) < HEAP_LIMIT_MIB : null;
  const figures = { kind: 'sweep', runs, steps, rate10: at10, rate90: at90, rateRatio: ratio, rateOk: ratio === null ? null : ratio >= 0.9, heap, heapAfterGc: gc, heapOk, longTasks: tasks, longTasksOk: tasks.training.count === 0 };
  printTable(`sweep soak: ${runs} runs × ${steps} steps`, [
    [`steps/s at 10 % (step ${Math.round(steps * 0.1)})`, fmt(at10, 2), ''],
    [`steps/s at 90 % (step ${Math.round(steps * 0.9)})`, fmt(at90, 2), ''],
    ['90 % / 10 % (target ≥ 0.90)', fmt(ratio, 3), verdict(figures.rateOk)],
    ['JS heap max, page (first → last)', `${fmt(heap.page.max)} MiB (${fmt(heap.page.first)} → ${fmt(heap.page.last)})`, verdict(heapOk === null ? null : heap.page.max < HEAP_LIMIT_MIB)],
    ['JS heap max, Worker (first → last)', `${fmt(heap.worker.max)} MiB (${fmt(heap.worker.first)} → ${fmt(heap.worker.last)})`, verdict(heap.workerSampled ? heap.worker.max < HEAP_LIMIT_MIB : null)],
    ['JS heap after a full GC, page / Worker', `${fmt(gc.page)} / ${fmt(gc.worker)} MiB`, ''],
    [`long tasks training after the first minute (> ${LONG_TASK_MS} ms)`, taskCell(tasks.training), verdict(figures.longTasksOk)],
    [`  their main-thread CPU time (tasks over ${LONG_TASK_MS} ms of it)`, cpuCell(tasks.training), ''],
    ['long tasks in the first minute of training', taskCell(tasks['first minute']), ''],
    ['long tasks at setup / after the end', `${taskCell(tasks.setup)} / ${taskCell(tasks.end)}`, ''],
  ]);
  return figures;
}

/** "max C ms, K over 50 ms" for a phase's long tasks by CPU time (those the trace has). */
const cpuCell = (f) => (f.count === 0 ? '—' : f.timed === 0 ? 'not traced' : `max ${fmt(f.maxCpuMs, 0)} ms, ${f.overByCpu} over ${LONG_TASK_MS} ms${f.timed < f.count ? ` (${f.timed} of ${f.count} found in the trace)` : ''}`);

/** "N (max M ms, T s in all)" for a phase's long tasks. */
const taskCell = (f) => (f.count ? `${f.count} (max ${fmt(f.maxMs, 0)} ms, ${fmt(f.totalMs / 1000)} s in all${f.timed ? `; CPU max ${fmt(f.maxCpuMs, 0)} ms` : ''})` : '0');

function printTable(title, rows) {
  const width = Math.max(...rows.map((row) => row[0].length));
  const valueWidth = Math.max(...rows.map((row) => row[1].length));
  console.log(`\n${title}`);
  for (const [what, value, mark] of rows) console.log(`  ${what.padEnd(width)}  ${value.padStart(valueWidth)}  ${mark}`);
}

// ------------------------------------------------------------------------------------- main

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const dist = resolve(ROOT, options.dist);
  if (!existsSync(join(dist, 'index.html'))) throw new Error(`no built page in ${dist}: run \`npm run build\` (or \`npx vite build --outDir DIR\` and pass --dist DIR)`);
  console.log(`page soak: ${dist} (built ${statSync(join(dist, 'index.html')).mtime.toISOString()}), port ${options.port}`);
  const { child: server, url } = await startServer(dist, options.port);
  let browser;
  let soak;
  let figures = null;
  let failure = null;
  try {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: !options.headed,
      // playwright.config.ts's flags: WebGPU (SwiftShader without a GPU), a closed network.
      args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    const context = await browser.newContext();
    await context.addInitScript(pageProbes);
    const page = await context.newPage();
    const heaps = await Heaps.attach(page);
    soak = new Soak(page, heaps, options, options.sweep ? 'sweep' : 'default');
    soak.watch();
    if (options.cpu ?? options.sweep) await soak.startTrace(browser);
    figures = options.sweep ? await sweepSoak(soak, url, options) : await defaultSoak(soak, url, options);
  } catch (error) {
    failure = error;
  } finally {
    await browser?.close().catch(() => undefined);
    stopServer(server);
  }
  const errors = [...new Set([...(soak?.errors ?? []), ...(soak?.failures ?? [])])];
  if (failure && !errors.includes(failure.message)) errors.unshift(failure.message);
  if (options.out) {
    const trace = (soak?.trace ?? []).map(({ at, step, segment }) => ({ t: soak.t(at), step, segment }));
    const report = { options, figures, samples: soak?.samples ?? [], trace, longTasks: (soak?.longTasks ?? []).map(({ at, ms, cpuMs, phase }) => ({ t: soak.t(at), ms, cpuMs, phase })), events: soak?.events ?? [], errors };
    writeFileSync(resolve(options.out), JSON.stringify(report, null, 2));
    console.log(`\nsamples written to ${resolve(options.out)}`);
  }
  if (errors.length > 0) {
    console.error(`\nERRORS (${errors.length}):`);
    for (const error of errors.slice(0, 20)) console.error(`  ${error}`);
    process.exitCode = 1;
  } else console.log('\nno errors');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
