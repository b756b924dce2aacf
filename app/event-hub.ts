/**
 * The Worker's outgoing events: gathered and posted to every subscriber as one EventBatch with the
 * engine's state, at most once per `flushMs` while events keep coming (or at once on flush()).
 * Only the latest progress event of a batch is kept. Records go as columns of typed arrays: a
 * batch's metrics events as one (a 576-run sweep logs about 3,000 records a second, which as
 * objects cost the page their cloning, their garbage and an IndexedDB write of each), and a
 * restore's 300,000 in one piece. A batch carries at most MAX_RECORDS records: more (a sweep's
 * block of 10 steps is 5,760) go as several posts, so that the page folds them in several tasks.
 */
import { recordColumns } from '../src/experiment/record-columns';
import type { EventBatch, PageEvent, SessionEvent, SessionState } from './engine-protocol';

/** Most records in one post to the page (folded there in a few milliseconds). */
export const MAX_RECORDS = 2048;

/** An event waiting for the batch: a metrics event's records still as objects (merged with the next ones). */
type Pending = Exclude<SessionEvent, { kind: 'imported' }> | Extract<PageEvent, { kind: 'imported' }>;

/** `event` as the page gets it: records as columns (cloned in one piece each, not as objects). */
export function pageEvent(event: SessionEvent): PageEvent {
  switch (event.kind) {
    case 'imported':
    case 'metrics':
      return { ...event, records: recordColumns(event.records) };
    default:
      return event;
  }
}

export class EventHub {
  private readonly subscribers = new Set<(batch: EventBatch) => unknown>();
  private pending: Pending[] = [];
  /** The batch's metrics event that later records join (none after an event that clears the records). */
  private openMetrics: Extract<Pending, { kind: 'metrics' }> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly state: () => SessionState,
    private readonly flushMs: number,
  ) {}

  /** Adds a subscriber and posts the current state to all at once. */
  subscribe(callback: (batch: EventBatch) => unknown): void {
    this.subscribers.add(callback);
    this.flush();
  }

  /** Queues `event` for the next batch. */
  emit(event: SessionEvent): void {
    // AutoDrop's decisions: the page reads the angle on its record and the rate in the records; in a
    // sweep they came 96 at a time, each cutting the batch's records into another metrics event.
    if (event.kind === 'autodrop') return;
    if (event.kind === 'progress') this.pending = this.pending.filter((e) => e.kind !== 'progress'); // the latest is enough
    if (event.kind === 'reset') this.drop((e) => e.kind === 'metrics' || e.kind === 'progress'); // made stale by the reset
    if (event.kind === 'metrics') {
      // One metrics event for the batch's records: progress, notes and edits between them do not
      // touch the records; a load, reset or restore (which clear them) starts another.
      if (this.openMetrics) for (const record of event.records) this.openMetrics.records.push(record);
      else this.pending.push((this.openMetrics = { kind: 'metrics', records: [...event.records] }));
    } else {
      if (event.kind === 'loaded' || event.kind === 'reset' || event.kind === 'imported') this.openMetrics = null;
      this.pending.push(event.kind === 'imported' ? (pageEvent(event) as Pending) : event);
    }
    this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  /** Drops queued events that `predicate` matches (e.g. metrics made stale by a reset). */
  drop(predicate: (event: { kind: PageEvent['kind'] }) => boolean): void {
    this.pending = this.pending.filter((event) => !predicate(event));
    if (this.openMetrics && !this.pending.includes(this.openMetrics)) this.openMetrics = null;
  }

  /** Posts the events gathered so far with the current state (now, not waiting for the timer). */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const state = this.state();
    const batches = postsOf(this.pending).map((events): EventBatch => ({ events, state }));
    this.pending = [];
    this.openMetrics = null;
    for (const batch of batches) {
      for (const callback of this.subscribers) void Promise.resolve(callback(batch)).catch((error: Error) => console.warn(`event subscriber failed: ${error.message}`));
    }
  }
}

/** `pending` as the page gets it, cut into posts of at most MAX_RECORDS records (always one, even when empty). */
function postsOf(pending: readonly Pending[]): PageEvent[][] {
  const posts: PageEvent[][] = [[]];
  let room = MAX_RECORDS;
  for (const event of pending) {
    if (event.kind !== 'metrics') {
      posts[posts.length - 1].push(event);
      continue;
    }
    for (let from = 0; from < event.records.length; ) {
      if (room === 0) {
        posts.push([]);
        room = MAX_RECORDS;
      }
      const part = event.records.slice(from, from + room);
      posts[posts.length - 1].push(pageEvent({ kind: 'metrics', records: part }));
      from += part.length;
      room -= part.length;
    }
  }
  return posts;
}
