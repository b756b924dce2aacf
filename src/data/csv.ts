/**
 * CSV upload → classification Dataset.
 *
 * - Parsing: papaparse, delimiter auto-detected (comma, tab, semicolon, pipe), quotes honoured,
 *   cells trimmed. Blank lines are skipped but still counted, so "row N" in a message is the N-th
 *   line of the file (1-based, header included) unless a quoted cell spans lines.
 * - Header: the first row is a header when every one of its cells is non-empty and non-numeric
 *   (override with `header`). Without a header, columns are named by number only.
 * - Label column: `labelColumn` is a header name, or a 0-based index (negative counts from the
 *   end); default the last column. All other columns are features; messages number columns
 *   1-based, like a spreadsheet ("row 4, column 2 (\"width\")").
 * - Features: decimal numbers (1, -2.5, .5, 3e-4), parsed to f32 and used as given: nothing is
 *   standardized, scaled or imputed (scale 1, shift 0). An empty or non-numeric cell is an error.
 * - Labels: if every label is an integer, the classes are the distinct values sorted numerically
 *   (so 0..K−1 stay themselves, {−1, 1} become {0, 1}); otherwise the distinct strings sorted by
 *   code unit. classNames holds the original spelling of each class.
 * - Split: a seeded random split (not stratified); testCount = round(N · testFraction) clamped to
 *   [1, N − 1]; each split keeps the file's row order.
 */
import Papa from 'papaparse';
import { RandomStream, StreamPurpose, streamId } from '../rng/stream';
import { shuffleInPlace } from './batches';
import { testCountFor, type Dataset } from './types';

export interface CsvOptions {
  /** header name, or 0-based column index (negative from the end); default: the last column */
  labelColumn?: string | number;
  /** share of rows in the test split, 0 < testFraction < 1 */
  testFraction: number;
  /** seed of the train/test split, integer in [0, 2^32) */
  seed: number;
  /** dataset name */
  name: string;
  /** whether the first row is a header; default: detected (every cell non-numeric) */
  header?: boolean;
}

/** Stream id of the CSV train/test split ('csv' in ASCII as the second part). */
const CSV_SPLIT_STREAM = streamId(StreamPurpose.general, 0x637376);

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

interface CsvRecord {
  row: number; // 1-based line number in the file
  cells: string[];
}

function validateOptions(options: CsvOptions): void {
  if (typeof options.name !== 'string' || options.name.trim() === '') {
    throw new Error(`name must be a non-empty string, got ${JSON.stringify(options.name)}`);
  }
  if (typeof options.testFraction !== 'number' || !(options.testFraction > 0 && options.testFraction < 1)) {
    throw new Error(`testFraction must be a number with 0 < testFraction < 1, got ${options.testFraction}`);
  }
  if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff) {
    throw new Error(`seed must be an integer in [0, 2^32), got ${options.seed}`);
  }
}

/** Parses CSV text into non-blank records with their 1-based row numbers; throws on quote errors. */
function readRecords(text: string): CsvRecord[] {
  if (typeof text !== 'string' || text.trim() === '') throw new Error('CSV file is empty');
  const detected = Papa.parse<string[]>(text, { skipEmptyLines: 'greedy', preview: 50 });
  const parsed = Papa.parse<string[]>(text, { delimiter: detected.meta.delimiter, skipEmptyLines: false });
  const error = parsed.errors.find((e) => e.code !== 'UndetectableDelimiter');
  if (error) {
    const where = error.row === undefined ? '' : `row ${error.row + 1}: `;
    throw new Error(`CSV parse error: ${where}${error.message}`);
  }
  const records: CsvRecord[] = [];
  parsed.data.forEach((cells, index) => {
    const trimmed = cells.map((cell) => cell.trim());
    if (trimmed.some((cell) => cell !== '')) records.push({ row: index + 1, cells: trimmed });
  });
  if (records.length === 0) throw new Error('CSV file is empty');
  return records;
}

/**
 * Builds a classification Dataset (f32 features, inputShape [numFeatures], scale 1, shift 0)
 * from CSV text; see the module comment for header detection, label mapping and the split.
 * Errors name the row and column (non-numeric or empty feature, ragged row, empty label), or say
 * what is missing (empty file, fewer than 2 data rows, fewer than 2 columns, a single class).
 */
export function datasetFromCsv(text: string, options: CsvOptions): Dataset {
  validateOptions(options);
  const records = readRecords(text);
  const first = records[0];
  const columnCount = first.cells.length;
  const looksLikeHeader = first.cells.every((cell) => cell !== '' && !NUMBER.test(cell));
  const hasHeader = options.header ?? looksLikeHeader;
  const header = hasHeader ? first.cells : undefined;
  const columnName = (column: number) =>
    header ? `column ${column + 1} (${JSON.stringify(header[column])})` : `column ${column + 1}`;
  if (columnCount < 2) {
    throw new Error(
      `row ${first.row} has ${columnCount} column; need at least 2 (features and a label). ` +
        'Columns are separated by commas, tabs, semicolons or pipes.',
    );
  }

  const labelColumn = resolveLabelColumn(options.labelColumn, columnCount, header, first.row);
  const dataRecords = hasHeader ? records.slice(1) : records;
  if (dataRecords.length < 2) {
    throw new Error(`CSV file has ${dataRecords.length} data row${dataRecords.length === 1 ? '' : 's'}; need at least 2`);
  }

  const featureColumns = [...Array(columnCount).keys()].filter((column) => column !== labelColumn);
  const features = new Float32Array(dataRecords.length * featureColumns.length);
  const labelCells: string[] = [];
  dataRecords.forEach(({ row, cells }, index) => {
    if (cells.length !== columnCount) {
      throw new Error(`row ${row} has ${cells.length} columns, expected ${columnCount} (as in row ${first.row})`);
    }
    featureColumns.forEach((column, featureIndex) => {
      const cell = cells[column];
      if (cell === '') throw new Error(`row ${row}, ${columnName(column)}: empty feature value`);
      const value = NUMBER.test(cell) ? Number(cell) : NaN;
      if (!Number.isFinite(value)) {
        const hint = index === 0 && !hasHeader ? ' (a header row needs every cell non-numeric)' : '';
        throw new Error(`row ${row}, ${columnName(column)}: non-numeric feature ${JSON.stringify(cell)}${hint}`);
      }
      features[index * featureColumns.length + featureIndex] = value;
    });
    const label = cells[labelColumn];
    if (label === '') throw new Error(`row ${row}, ${columnName(labelColumn)}: empty label`);
    labelCells.push(label);
  });

  const { classNames, labels } = mapLabels(labelCells);
  if (classNames.length < 2) {
    throw new Error(
      `label ${columnName(labelColumn)} has a single class ${JSON.stringify(classNames[0])}; need at least 2 classes`,
    );
  }

  const rowCount = dataRecords.length;
  const testRows = new Uint32Array(rowCount);
  for (let i = 0; i < rowCount; i++) testRows[i] = i;
  shuffleInPlace(testRows, new RandomStream(options.seed, CSV_SPLIT_STREAM));
  const isTest = new Uint8Array(rowCount);
  for (const rowIndex of testRows.subarray(0, testCountFor(rowCount, options.testFraction))) isTest[rowIndex] = 1;
  const split = (wantTest: number) => {
    const rows = [...Array(rowCount).keys()].filter((rowIndex) => isTest[rowIndex] === wantTest);
    const width = featureColumns.length;
    const x = new Float32Array(rows.length * width);
    rows.forEach((rowIndex, i) => x.set(features.subarray(rowIndex * width, (rowIndex + 1) * width), i * width));
    return { count: rows.length, x, y: Uint32Array.from(rows, (rowIndex) => labels[rowIndex]) };
  };
  return {
    name: options.name,
    inputShape: [featureColumns.length],
    numClasses: classNames.length,
    scale: 1,
    shift: 0,
    classNames,
    train: split(0),
    test: split(1),
  };
}

/** Index of the label column from a header name or a (possibly negative) 0-based index. */
function resolveLabelColumn(
  labelColumn: string | number | undefined,
  columnCount: number,
  header: string[] | undefined,
  headerRow: number,
): number {
  if (labelColumn === undefined) return columnCount - 1;
  if (typeof labelColumn === 'string') {
    if (!header) {
      throw new Error(
        `labelColumn ${JSON.stringify(labelColumn)} names a column, but row ${headerRow} is not a header ` +
          '(a header needs every cell non-numeric); give labelColumn as a 0-based index instead',
      );
    }
    const column = header.indexOf(labelColumn.trim());
    if (column < 0) {
      throw new Error(`labelColumn ${JSON.stringify(labelColumn)} is not in the header: ${header.map((h) => JSON.stringify(h)).join(', ')}`);
    }
    return column;
  }
  if (!Number.isInteger(labelColumn) || labelColumn < -columnCount || labelColumn >= columnCount) {
    throw new Error(`labelColumn must be an integer in [${-columnCount}, ${columnCount - 1}] (0-based), got ${labelColumn}`);
  }
  return labelColumn < 0 ? columnCount + labelColumn : labelColumn;
}

/** Maps label strings to class indices: integers sorted by value, otherwise strings sorted by code unit. */
function mapLabels(cells: string[]): { classNames: string[]; labels: Uint32Array } {
  if (cells.every((cell) => INTEGER.test(cell))) {
    const values = [...new Set(cells.map(Number))].sort((a, b) => a - b);
    const index = new Map(values.map((value, i) => [value, i]));
    return { classNames: values.map(String), labels: Uint32Array.from(cells, (cell) => index.get(Number(cell))!) };
  }
  const names = [...new Set(cells)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(names.map((name, i) => [name, i]));
  return { classNames: names, labels: Uint32Array.from(cells, (cell) => index.get(cell)!) };
}
