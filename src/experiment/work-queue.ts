/**
 * The order of work around one training loop: calls that need a quiet GPU run one after another
 * (serialized), and work for a running loop waits for the loop's next block boundary, where no
 * step is in flight (atBoundary, taken by the loop with runBoundaryWork).
 */
export class WorkQueue {
  private chain: Promise<unknown> = Promise.resolve();
  private readonly boundary: Array<() => Promise<void>> = [];

  /** Runs `work` once every serialized call before it has settled. */
  serialized<T>(work: () => Promise<T> | T): Promise<T> {
    const result = this.chain.then(work);
    this.chain = result.catch(() => undefined);
    return result;
  }

  /** Runs `work` at the loop's next block boundary while `looping`, else serialized. */
  atBoundary<T>(work: () => Promise<T> | T, looping: boolean): Promise<T> {
    if (!looping) return this.serialized(work);
    return new Promise<T>((resolve, reject) =>
      this.boundary.push(async () => {
        try {
          resolve(await work()); // the loop goes on once asynchronous work (a checkpoint's readbacks) is done
        } catch (error) {
          reject(error as Error);
        }
      }),
    );
  }

  /** Whether boundary work is waiting (the loop should stop at its next boundary). */
  get waiting(): boolean {
    return this.boundary.length > 0;
  }

  /** The loop, at a block boundary: runs the boundary work queued so far, in order. */
  async runBoundaryWork(): Promise<void> {
    while (this.boundary.length > 0) await this.boundary.shift()!();
  }
}
