/**
 * A terminal progress bar with rate and ETA: redrawn in place on a TTY, one line every few
 * seconds otherwise (CI logs). Writes to stderr so stdout stays clean for data.
 */
export interface ProgressBar {
  update(done: number, note?: string): void;
  finish(note?: string): void;
}

/** mm:ss or h:mm:ss of a duration in seconds. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(r)}` : `${m}:${two(r)}`;
}

/** The bar's text for `done` of `total` after `elapsedS` seconds. */
export function progressLine(label: string, done: number, total: number, elapsedS: number, width = 24): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(fraction * width);
  const rate = elapsedS > 0 ? done / elapsedS : 0;
  const eta = rate > 0 ? (total - done) / rate : Infinity;
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${done}/${total} · ${rate.toFixed(1)}/s · ETA ${formatDuration(eta)}`;
}

export function progressBar(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  const start = performance.now();
  let lastPrint = 0;
  const tty = Boolean(stream.isTTY);
  const line = (done: number, note?: string) => progressLine(label, done, total, (performance.now() - start) / 1000) + (note ? ` · ${note}` : '');
  return {
    update(done, note) {
      const now = performance.now();
      if (tty) stream.write(`\r${line(done, note)}\u001b[K`);
      else if (now - lastPrint > 5000 || done >= total) {
        stream.write(`${line(done, note)}\n`);
        lastPrint = now;
      }
    },
    finish(note) {
      stream.write(`${tty ? '\r' : ''}${line(total, note)}${tty ? '\u001b[K' : ''}\n`);
    },
  };
}
