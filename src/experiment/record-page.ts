/**
 * A page of the record table's columns (./record-table.ts): up to PAGE_ROWS rows of each field in
 * a typed array, and an optional field's values with a byte per row saying whether it has one. And
 * the table's journal, paged the same way.
 */
import { DENSE, type DenseField, type SparseField } from './record-columns';

/** A typed array of `capacity` holding `array`'s values. */
export function grown<T extends Float64Array | Uint32Array | Uint8Array>(array: T, capacity: number): T {
  const next = new (array.constructor as new (length: number) => T)(capacity);
  next.set(array);
  return next;
}

/**
 * Rows per page of columns. A table grows a page at a time and never copies the rows it holds: a
 * 576-run sweep has over a million, and doubling one array per field copied 60 MB on the page's
 * main thread at a time (a 300 ms task). Only the first page grows by doubling, so a small table
 * stays small.
 */
export const PAGE_BITS = 16;
export const PAGE_ROWS = 1 << PAGE_BITS;
export const ROW_MASK = PAGE_ROWS - 1;

/** An optional field's column in a page: whether each row has a value, and the values. */
interface SparseColumn {
  has: Uint8Array;
  values: Float64Array;
}

/** The columns of up to PAGE_ROWS rows; an optional field's only once a row of the page has it. */
export interface Page {
  runs: Uint32Array;
  steps: Uint32Array;
  diverged: Uint8Array;
  dense: Record<DenseField, Float64Array>;
  sparse: Partial<Record<SparseField, SparseColumn>>;
}

/** A page of `capacity` rows, holding `from`'s if given. */
export function newPage(capacity: number, from?: Page): Page {
  const column = <T extends Float64Array | Uint32Array | Uint8Array>(make: new (n: number) => T, old: T | undefined): T => (old ? grown(old, capacity) : new make(capacity));
  return {
    runs: column(Uint32Array, from?.runs),
    steps: column(Uint32Array, from?.steps),
    diverged: column(Uint8Array, from?.diverged),
    dense: Object.fromEntries(DENSE.map((field) => [field, column(Float64Array, from?.dense[field])])) as Record<DenseField, Float64Array>,
    sparse: Object.fromEntries(
      Object.entries(from?.sparse ?? {}).map(([field, old]) => [field, { has: column(Uint8Array, old.has), values: column(Float64Array, old.values) }]),
    ),
  };
}

/** The value of optional `field` at index `at` of `page` (undefined: none). */
export function sparseAt(page: Page, at: number, field: SparseField): number | undefined {
  const column = page.sparse[field];
  return column !== undefined && column.has[at] === 1 ? column.values[at] : undefined;
}

/** Sets optional `field` at index `at` of `page` (its column made if it is the page's first). */
export function setSparse(page: Page, at: number, field: SparseField, value: number): void {
  const capacity = page.runs.length;
  const column = (page.sparse[field] ??= { has: new Uint8Array(capacity), values: new Float64Array(capacity) });
  column.has[at] = 1;
  column.values[at] = value;
}

/** Clears optional `field` at index `at` of `page`. */
export function clearSparse(page: Page, at: number, field: SparseField): void {
  const column = page.sparse[field];
  if (column) column.has[at] = 0;
}

const EMPTY = new Uint32Array(0);

/**
 * The rows a table changed, in order, in pages of PAGE_ROWS entries (the first grows by doubling):
 * a change is never copied once written. (One array doubled: a 576-run sweep's journal passes a
 * million entries, and each doubling copied megabytes in a batch's task.)
 */
export class Journal {
  private pages: Uint32Array[] = [];
  /** Changes written. */
  size = 0;

  push(row: number): void {
    const index = this.size >>> PAGE_BITS;
    const at = this.size & ROW_MASK;
    let page = this.pages[index];
    if (page === undefined) this.pages.push((page = new Uint32Array(index === 0 ? 1024 : PAGE_ROWS)));
    else if (at === page.length) this.pages[index] = page = grown(page, 2 * page.length);
    page[at] = row;
    this.size++;
  }

  /** The changes from number `from` on, up to the end of its page (empty at the end): read on from `from` + its length until `size`. */
  since(from: number): Uint32Array {
    if (from >= this.size) return EMPTY;
    const index = from >>> PAGE_BITS;
    return this.pages[index].subarray(from & ROW_MASK, Math.min(this.size - index * PAGE_ROWS, PAGE_ROWS));
  }

  /** Bytes held. */
  get bytes(): number {
    return this.pages.reduce((sum, page) => sum + page.byteLength, 0);
  }
}
