#!/usr/bin/env node
// `npm test`: typecheck, lint, unit tests (Vitest), python (pytest and the PyTorch agreement tests),
// build, e2e (Playwright), in that order.
// Each step streams its output live; a failed step does not stop the others, so the summary is
// complete; the exit status is non-zero if anything failed. Counting: every Vitest, pytest and
// Playwright test is one pass or fail; typecheck, lint and build are one each; a missing Python with
// torch is one failure saying what to install. A skipped test counts as a FAILURE (nothing may be
// skipped). The very last line is `N passed, N failed`.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPython } from './python.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const bin = (name) => join(root, 'node_modules', '.bin', name);
const tmp = mkdtempSync(join(tmpdir(), 'lrlab-test-'));

// No GPU environment is set up here on purpose: src/gpu/node.ts finds Vulkan and Chromium's
// SwiftShader driver by itself (as the CLI and the benchmark do), so the tests check that too.

// A deadlock inside native GPU code blocks the event loop, so Vitest's own testTimeout cannot
// fire: every step also has a wall-clock limit (minutes), after which its process group is killed.
const stepTimeoutMs = Number(process.env.TEST_STEP_TIMEOUT_MIN ?? 30) * 60_000;
let current; // the running child, to pass on Ctrl-C / SIGTERM to its whole process group

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (current) killGroup(current, 'SIGKILL');
    process.exit(130);
  });
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

/** Runs a command with live output; resolves to its exit code (124 on a timeout, 1 on a signal). */
function run(command, args, env = process.env) {
  console.log(`\n[test-all] $ ${[command, ...args].map((a) => a.replace(root + '/', '')).join(' ')}`);
  return new Promise((resolve) => {
    // detached: its own process group, so a timeout kills its workers (Vitest forks, Chromium) too.
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env, detached: true });
    current = child;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      console.error(`\n[test-all] ${command} still running after ${stepTimeoutMs / 60_000} min: killed (TEST_STEP_TIMEOUT_MIN)`);
      killGroup(child, 'SIGTERM');
      setTimeout(() => killGroup(child, 'SIGKILL'), 5000).unref();
    }, stepTimeoutMs);
    child.on('error', (err) => {
      console.error(`[test-all] cannot start ${command}: ${err.message}`);
      clearTimeout(timer);
      resolve(1);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      current = undefined;
      resolve(timedOut ? 124 : (code ?? (signal ? 1 : 0)));
    });
  });
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** One line per suite: { name, passed, failed, notes[] }. */
const suites = [];

async function single(name, command, args) {
  const code = await run(command, args);
  suites.push({ name, passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, notes: code ? [code === 124 ? 'timed out: killed' : `exit ${code}`] : [] });
  return code === 0;
}

/** Vitest: one count per test; a file that fails to load, or a bad exit with no failed test, is one failure. */
async function unit(env, name = 'unit', args = []) {
  const out = join(tmp, `vitest-${name}.json`);
  const code = await run(bin('vitest'), ['run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`], env);
  const suite = { name, passed: 0, failed: 0, notes: [] };
  const report = readJson(out);
  for (const file of report?.testResults ?? []) {
    const rel = file.name.replace(root + '/', '');
    if (file.assertionResults.length === 0 && file.status !== 'passed') {
      suite.failed++;
      suite.notes.push(`${rel}: file failed to run`);
    }
    const unrun = {}; // status -> count: skipped/todo (never allowed), pending (not run: worker crashed?)
    for (const test of file.assertionResults) {
      if (test.status === 'passed') suite.passed++;
      else {
        suite.failed++;
        if (test.status !== 'failed') unrun[test.status] = (unrun[test.status] ?? 0) + 1;
      }
    }
    for (const [status, count] of Object.entries(unrun)) {
      const why = status === 'pending' ? 'not run (worker crashed?)' : `${status}: nothing may be skipped`;
      suite.notes.push(`${rel}: ${count} ${why}, counted as failed`);
    }
  }
  if (code !== 0 && suite.failed === 0) {
    suite.failed++;
    suite.notes.push(
      code === 124 ? 'vitest timed out (hung?): killed' : report ? `vitest exited ${code} with no failed test (unhandled error or crash?)` : `vitest exited ${code}, no JSON report`,
    );
  }
  suites.push(suite);
  return suite;
}

/** pytest's JUnit XML: one count per test case; a failure, an error or a skip is a failure. */
function countJunit(xml, suite) {
  for (const match of xml.matchAll(/<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const body = match[2] ?? '';
    const name = /name="([^"]*)"/.exec(match[1])?.[1] ?? '?';
    if (/<(failure|error)\b/.test(body)) suite.failed++;
    else if (/<skipped\b/.test(body)) {
      suite.failed++;
      suite.notes.push(`${name}: skipped: nothing may be skipped, counted as failed`);
    } else suite.passed++;
  }
}

/**
 * Python: pytest over python/tests (the package alone), then the agreement tests of the PyTorch
 * export (Vitest, vitest.agreement.config.ts: the engine on Node + Dawn against exported scripts), all
 * counted in one suite. No interpreter with torch, numpy and pytest: ONE failure saying what to install.
 */
async function pythonSuite(env) {
  const found = findPython();
  console.log(`\n[test-all] python: ${found.error ?? `${found.python} (torch ${found.torch})`}`);
  if (found.error) {
    suites.push({ name: 'python', passed: 0, failed: 1, notes: [found.error] });
    return;
  }
  const out = join(tmp, 'pytest.xml');
  const code = await run(found.python, ['-m', 'pytest', 'python/tests', '-q', '-p', 'no:cacheprovider', `--junitxml=${out}`], { ...env, LRLAB_PYTHON: found.python });
  const suite = { name: 'python', passed: 0, failed: 0, notes: [] };
  let xml = '';
  try {
    xml = readFileSync(out, 'utf8');
  } catch {
    /* no report: counted below */
  }
  countJunit(xml, suite);
  if (code !== 0 && suite.failed === 0) {
    suite.failed++;
    suite.notes.push(code === 124 ? 'pytest timed out: killed' : `pytest exited ${code}${xml ? ' with no failed test' : ', no JUnit report'}`);
  }
  const agreement = await unit({ ...env, LRLAB_PYTHON: found.python }, 'agreement', ['-c', 'vitest.agreement.config.ts']);
  suites.pop();
  suite.passed += agreement.passed;
  suite.failed += agreement.failed;
  suite.notes.push(...agreement.notes);
  suites.push(suite);
}

/** Playwright: one count per test; global errors (e.g. the web server did not start) are one failure. */
async function e2e(env) {
  const out = join(tmp, 'playwright.json');
  const code = await run(bin('playwright'), ['test'], { ...env, PLAYWRIGHT_JSON_OUTPUT_FILE: out });
  const suite = { name: 'e2e', passed: 0, failed: 0, notes: [] };
  const report = readJson(out);
  const walk = (s, path) => {
    for (const spec of s.specs ?? []) {
      for (const test of spec.tests) {
        const name = `e2e/${spec.file} > ${[...path, spec.title].join(' > ')}`;
        if (test.status === 'expected') suite.passed++;
        else {
          suite.failed++;
          if (test.status !== 'unexpected') suite.notes.push(`${name}: ${test.status}${test.status === 'skipped' ? ': nothing may be skipped' : ''}, counted as failed`);
        }
      }
    }
    for (const child of s.suites ?? []) walk(child, [...path, child.title]);
  };
  for (const s of report?.suites ?? []) walk(s, []);
  if (report?.errors?.length) {
    suite.failed++;
    suite.notes.push(`global error: ${report.errors[0].message?.split('\n')[0]}`);
  }
  if (code !== 0 && suite.failed === 0) {
    suite.failed++;
    suite.notes.push(
      code === 124 ? 'playwright timed out: killed' : report ? `playwright exited ${code} with no failed test` : `playwright exited ${code}, no JSON report`,
    );
  }
  suites.push(suite);
}

const started = Date.now();
await single('typecheck', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
await single('lint', bin('eslint'), ['.']);
const env = process.env;
await unit(env);
await pythonSuite(env);
if (await single('build', bin('vite'), ['build'])) await e2e(env);
else suites.push({ name: 'e2e', passed: 0, failed: 1, notes: ['not run: the build failed (a stale dist/ would mislead)'] });
rmSync(tmp, { recursive: true, force: true });

console.log(`\n[test-all] summary (${((Date.now() - started) / 1000).toFixed(1)} s)`);
for (const s of suites) {
  console.log(`${s.name}: ${s.passed} passed, ${s.failed} failed`);
  for (const note of s.notes) console.log(`  - ${note}`);
}
const passed = suites.reduce((n, s) => n + s.passed, 0);
const failed = suites.reduce((n, s) => n + s.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
