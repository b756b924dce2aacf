// The teaching demos' page (demos.html): one guided demo per method, routed by the URL hash.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Demos } from './Demos';
import './demos.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Demos />
  </StrictMode>,
);
