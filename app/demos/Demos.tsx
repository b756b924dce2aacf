/** The demo index and a hash router: #/ lists the demos, #/lrd, #/leap, #/ralr, #/autodrop, #/explr show one. */
import { useEffect, useState, type ReactNode } from 'react';
import { applyTheme, saveTheme, savedTheme, type Theme } from '../theme';
import { AutoDropDemo } from './AutoDropDemo';
import { ExplrDemo } from './ExplrDemo';
import { LeapDemo } from './LeapDemo';
import { LrdDemo } from './LrdDemo';
import { RalrDemo } from './RalrDemo';

interface DemoEntry {
  route: string;
  title: string;
  claim: string;
  gpu: boolean;
  page: () => ReactNode;
}

export const DEMOS: DemoEntry[] = [
  { route: 'lrd', title: 'Learning Rate Dropout: escaping a saddle', claim: 'GD and momentum stall at a saddle; with LRD every seed escapes to a minimum.', gpu: false, page: () => <LrdDemo /> },
  { route: 'leap', title: 'LEAP: flat versus sharp minima', claim: 'Perturbing the learning rate sends runs out of a sharp minimum into a flat one of equal depth.', gpu: true, page: () => <LeapDemo /> },
  { route: 'ralr', title: 'RALR: random amplification', claim: 'Random spikes of the learning rate throw SGD out of a poor, narrow well.', gpu: false, page: () => <RalrDemo /> },
  { route: 'autodrop', title: 'AutoDrop: drop when the angle saturates', claim: 'The angle between steps saturates at the predicted value; AutoDrop drops the rate there.', gpu: true, page: () => <AutoDropDemo /> },
  { route: 'explr', title: 'Exponential LR: the same training, a growing rate', claim: 'Weight decay + step decay and an exponentially growing rate without weight decay train the same network.', gpu: true, page: () => <ExplrDemo /> },
];

/** The theme picker of the demos page: the same choice as the playground's (system, light, dark), remembered for both. */
function ThemeBar() {
  const [theme, setTheme] = useState<Theme>(savedTheme);
  useEffect(() => applyTheme(theme), [theme]);
  return (
    <div className="theme-bar">
      <label>
        theme{' '}
        <select
          value={theme}
          onChange={(event) => {
            const next = event.target.value as Theme;
            saveTheme(next);
            setTheme(next);
          }}
          data-testid="theme"
        >
          <option value="system">system</option>
          <option value="light">light</option>
          <option value="dark">dark</option>
        </select>
      </label>
    </div>
  );
}

function currentRoute(): string {
  return window.location.hash.replace(/^#\/?/, '');
}

/** The demos page: the theme picker and the index or one demo. */
export function Demos() {
  return (
    <>
      <ThemeBar />
      <DemoRoute />
    </>
  );
}

/** The index (#/) or the demo the hash names. */
function DemoRoute() {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const onHash = () => {
      setRoute(currentRoute());
      window.scrollTo(0, 0);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const demo = DEMOS.find((d) => d.route === route);
  if (demo) return <main key={demo.route}>{demo.page()}</main>;
  return (
    <main>
      <h1>LR Lab — teaching demos</h1>
      <p>
        One guided demo per learning-rate method: what its paper claims, shown at browser scale, in a few seconds. Each claim is also checked by
        an automated test that runs the same experiment (src/demos/*.test.ts). The <a href="index.html">playground</a> trains networks with every
        method side by side.
      </p>
      <ul className="demo-list" data-testid="demo-index">
        {DEMOS.map((d) => (
          <li key={d.route}>
            <a href={`#/${d.route}`}>{d.title}</a> — {d.claim} {d.gpu && <small>(part of it trains on the GPU with WebGPU)</small>}
          </li>
        ))}
      </ul>
    </main>
  );
}
