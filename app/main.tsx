// LR Lab's page: the engine runs in a Worker (app/engine.worker.ts); the page only sends commands
// and shows what comes back (app/Lab.tsx).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Lab } from './Lab';
import './lab.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Lab />
  </StrictMode>,
);
