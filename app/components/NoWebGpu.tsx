// Shown when the engine found no WebGPU adapter: what is missing and how to get it.
/** The explanation panel: what is missing and which browsers and flags provide it. */
export function NoWebGpu({ message }: { message: string }) {
  return (
    <section className="panel no-webgpu" aria-labelledby="no-webgpu-title" data-testid="no-webgpu">
      <h2 id="no-webgpu-title">This browser cannot train here: WebGPU is missing</h2>
      <p>LR Lab trains every network on your GPU through WebGPU, in a Web Worker.</p>
      {/* The page's one copy of the browser's reason (the page's error line stays empty in this phase). */}
      <p role="alert" className="error" data-testid="error">
        The browser said: {message}
      </p>
      <ul>
        <li>Chrome or Edge 113 or newer on Windows, macOS or ChromeOS: WebGPU is on by default. Update the browser.</li>
        <li>Chrome on Android 121+ (recent GPUs): on by default.</li>
        <li>
          Chrome / Chromium on Linux: start it with <code>--enable-unsafe-webgpu</code> (and <code>--enable-features=Vulkan</code> on some GPUs), or enable{' '}
          <code>chrome://flags/#enable-unsafe-webgpu</code>. Without a GPU, Chromium falls back to its software adapter (SwiftShader).
        </li>
        <li>Safari 26+ (macOS, iOS): on by default; Safari 18: Develop → Feature Flags → WebGPU.</li>
        <li>Firefox 141+ on Windows: on by default; elsewhere set <code>dom.webgpu.enabled</code> in <code>about:config</code> (Nightly).</li>
        <li>The page must come from https:// or http://localhost (a secure context).</li>
      </ul>
      <p>
        Without a browser, the same experiments run headless: <code>npm run experiment -- config.json --out results.csv</code>.
      </p>
    </section>
  );
}
