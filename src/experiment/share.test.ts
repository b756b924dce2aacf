import { describe, expect, it } from 'vitest';
import { defaultExperiment, defaultExperimentInput } from './defaults';
import { readShareHash, SHARE_KEY, shareHash } from './share';

describe('share links', () => {
  it('round-trip the default experiment exactly, through a real URL', () => {
    const hash = shareHash(defaultExperimentInput());
    expect(hash).toMatch(new RegExp(`^#${SHARE_KEY}=1\\.[A-Za-z0-9_-]+$`));
    const url = new URL(`https://example.org/lr-lab/${hash}`);
    expect(readShareHash(url.hash)).toEqual({ kind: 'config', config: defaultExperiment() });
  });

  it('keep non-ASCII labels', () => {
    const input = defaultExperimentInput();
    input.name = 'Schrittweite η — Versuch ✓';
    const shared = readShareHash(shareHash(input));
    expect(shared.kind === 'config' && shared.config.name).toBe('Schrittweite η — Versuch ✓');
  });

  it('say "none" without a share key', () => {
    expect(readShareHash('')).toEqual({ kind: 'none' });
    expect(readShareHash('#section-2')).toEqual({ kind: 'none' });
  });

  it('refuse tampered links with a message saying what is wrong, never throwing', () => {
    const good = shareHash(defaultExperimentInput());
    const cases: Array<[string, RegExp]> = [
      [good.slice(0, good.length - 40), /damaged.*(cut short|JSON|unexpected|Unterminated|end)/i],
      [good.replace('=1.', '=9.'), /format 9 is newer/],
      [good.replace('=1.', '=x.'), /link version/],
      [good + '!!', /base64url/],
      [`#${SHARE_KEY}=1.${btoa(JSON.stringify({ version: 1, batch: -3 })).replace(/=+$/, '')}`, /config is invalid: .*batch/],
    ];
    for (const [hash, message] of cases) {
      const shared = readShareHash(hash);
      expect(shared.kind, hash).toBe('error');
      expect(shared.kind === 'error' && shared.message, hash).toMatch(message);
      expect(shared.kind === 'error' && shared.message).toMatch(/default experiment is shown/);
    }
  });

  it('refuses to write an invalid config', () => {
    expect(() => shareHash({ version: 1, batch: 0 })).toThrow(/batch/);
  });
});
