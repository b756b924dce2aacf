import { defineConfig } from '@playwright/test';

// Playwright cannot download its own browser here: drive the system Chromium (Debian `chromium`).
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// E2E_PORT: another port when several checkouts run their e2e tests at once (each its own preview server).
const port = Number(process.env.E2E_PORT ?? 4173);

export default defineConfig({
  testDir: 'e2e',
  // One browser at a time: without a GPU, WebGPU runs on SwiftShader, i.e. on the (2) CPU cores.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  // JSON for scripts/test-all.mjs (it overrides the path with PLAYWRIGHT_JSON_OUTPUT_FILE).
  reporter: [['list'], ['json', { outputFile: 'playwright-report/results.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath,
      args: [
        // The only flag WebGPU needs on Linux; with no GPU, Chromium falls back to its bundled
        // SwiftShader (vendor google, architecture swiftshader). Tried and NOT needed (nor
        // sufficient without this one): --enable-features=Vulkan, --use-angle=swiftshader,
        // --use-webgpu-adapter=swiftshader, --enable-unsafe-swiftshader, --headless=new.
        '--enable-unsafe-webgpu',
        '--no-sandbox', // CI runs as root
        // A closed network: no background fetches, updates, sync, first-run or QUIC probes.
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  // The built app (test-all runs `vite build` first). The adapter exists only on http pages.
  webServer: {
    command: `npx vite preview --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
