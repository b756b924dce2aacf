import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The playground is a static site: index.html + app/ (React) + src/ (engine, also run in a Worker).
export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    sourcemap: true,
    // index.html: the playground; bench.html: the benchmark page `npm run bench` drives in Chromium;
    // demos.html: the teaching demos (app/demos/).
    rollupOptions: { input: { main: 'index.html', bench: 'bench.html', demos: 'demos.html' } },
  },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
});
