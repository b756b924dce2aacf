// The teaching demos' page (demos.html): one guided demo per method, routed by the URL hash.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { applyTheme, savedTheme } from '../theme';
import { Demos } from './Demos';
import './demos.css';

// The theme before the first paint (the picker keeps it afterwards).
applyTheme(savedTheme());

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Demos />
  </StrictMode>,
);
