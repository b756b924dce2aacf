/**
 * The Worker's outgoing events: gathered and posted to every subscriber as one EventBatch with the
 * engine's state, at most once per `flushMs` while events keep coming (or at once on flush()).
 * Only the latest progress event of a batch is kept; a restore's records go as columns.
 */
import { recordColumns } from '../src/experiment/record-table';
import type { EventBatch, PageEvent, SessionEvent, SessionState } from './engine-protocol';

/** `event` as the page gets it: a restore's records as columns of typed arrays (cloned in one piece each, not 300,000 objects). */
export function pageEvent(event: SessionEvent): PageEvent {
  return event.kind === 'imported' ? { ...event, records: recordColumns(event.records) } : event;
}

export class EventHub {
  private readonly subscribers = new Set<(batch: EventBatch) => unknown>();
  private pending: PageEvent[] = [];
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
    if (event.kind === 'progress') this.pending = this.pending.filter((e) => e.kind !== 'progress'); // the latest is enough
    if (event.kind === 'reset') this.drop((e) => e.kind === 'metrics' || e.kind === 'progress'); // made stale by the reset
    this.pending.push(pageEvent(event));
    this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  /** Drops queued events that `predicate` matches (e.g. metrics made stale by a reset). */
  drop(predicate: (event: PageEvent) => boolean): void {
    this.pending = this.pending.filter((event) => !predicate(event));
  }

  /** Posts the events gathered so far with the current state (now, not waiting for the timer). */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const batch: EventBatch = { events: this.pending, state: this.state() };
    this.pending = [];
    for (const callback of this.subscribers) void Promise.resolve(callback(batch)).catch((error: Error) => console.warn(`event subscriber failed: ${error.message}`));
  }
}
