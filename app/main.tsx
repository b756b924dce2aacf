// LR Lab's page. Until the full playground UI lands, a minimal training demo: the engine runs in a
// Worker (app/engine.worker.ts), the page only shows what comes back.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Demo } from './Demo';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Demo />
  </StrictMode>,
);
