// Placeholder entry point (the real app replaces this file).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <h1>LR Lab</h1>
  </StrictMode>,
);
