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
    // Libraries in their own chunks (cached across releases and shared by the pages): React, and
    // recharts with its d3 helpers, which only the charts need.
    rolldownOptions: {
      input: { main: 'index.html', bench: 'bench.html', demos: 'demos.html' },
      output: {
        codeSplitting: {
          groups: [
            { name: 'charts', test: /node_modules[\\/](recharts|d3-|victory-vendor|decimal\.js|eventemitter3|es-toolkit|immer|reselect|@reduxjs|redux|react-redux|use-sync-external-store|tiny-invariant)/ },
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
          ],
        },
      },
    },
  },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
});
