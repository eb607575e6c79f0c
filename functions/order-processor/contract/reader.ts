/**
 * The CSV contract reader (DESIGN §3): bytes in, one event per record out, in file order.
 *
 *   decodeText (gunzip?, strict UTF-8) → RecordScanner (records + physical lines)
 *     → fast-csv's parser (fields of one record) → header mapping → row rules
 *
 * It is an async generator: each record is read only when the consumer asks for the next event,
 * so a slow consumer (the DynamoDB writer) pauses the download and memory stays flat.
 */
import { ParserOptions } from '@fast-csv/parse';
import { Parser } from '@fast-csv/parse/build/src/parser/Parser.js';
import { decodeText, type ByteSource } from './decode.ts';
import { mapHeader, type CanonicalColumn } from './headers.ts';
import { RecordScanner, type RawRecord } from './records.ts';
import { isRowError, validateRow, type RowCells, type SeenOrderIds } from './rules.ts';
import { FileRejectedError, type ContractContext, type ContractEvent, type HeaderInfo } from './types.ts';

export type { ByteSource } from './decode.ts';

/** fast-csv's synchronous row parser, applied to one complete record at a time. */
class FieldSplitter {
  private readonly parser = new Parser(new ParserOptions({ ignoreEmpty: false, trim: false }));

  split(text: string): string[] {
    // fast-csv's tokenizer costs ~7 µs per record. A record without a quote character has nothing
    // to unescape, and fast-csv returns exactly its comma-separated pieces (a test pins this), so
    // only records with quotes go through it.
    if (!text.includes('"')) return text.split(',');
    const { rows } = this.parser.parse(text, false);
    const [row] = rows;
    return row ?? [];
  }
}

function isBlank(cells: readonly string[]): boolean {
  return cells.every((cell) => cell.trim() === '');
}

/**
 * Reads an order CSV. Yields `header` first, then `valid` / `rejected` / `blank` per record in
 * file order. Throws FileRejectedError for whole-file problems (empty file, header without data,
 * missing or repeated columns, bytes that are not UTF-8, binary or broken gzip data). Errors of
 * the input stream itself are rethrown unchanged (they are infrastructure faults, not bad data).
 */
export async function* readOrders(input: ByteSource, ctx: ContractContext): AsyncGenerator<ContractEvent> {
  const scanner = new RecordScanner();
  const splitter = new FieldSplitter();
  const seen: SeenOrderIds = new Map();
  let header: HeaderInfo | undefined;
  let columns: [CanonicalColumn, number][] = [];
  let orderIdIndex = -1;
  let headerLine = 0;
  let dataRows = 0;
  const blanksBeforeHeader: number[] = [];

  function* onRecord(record: RawRecord): Generator<ContractEvent> {
    const { line } = record;
    if (record.text.trim() === '') {
      if (header) yield { kind: 'blank', line };
      else blanksBeforeHeader.push(line);
      return;
    }
    let cells: string[] | undefined;
    let malformed = record.malformed;
    if (malformed === undefined) {
      try {
        cells = splitter.split(record.text);
      } catch (err) {
        malformed = err instanceof Error ? err.message : String(err);
      }
    }
    if (!header) {
      if (cells === undefined) {
        throw new FileRejectedError(`line ${line}: the header row has malformed quoting: ${malformed}`, line);
      }
      if (isBlank(cells)) {
        blanksBeforeHeader.push(line);
        return;
      }
      header = mapHeader(cells, line);
      headerLine = line;
      columns = header.canonical.flatMap((column, i) => (column ? [[column, i] as [CanonicalColumn, number]] : []));
      orderIdIndex = header.canonical.indexOf('order_id');
      yield { kind: 'header', header };
      for (const blankLine of blanksBeforeHeader) yield { kind: 'blank', line: blankLine };
      return;
    }
    if (cells === undefined) {
      dataRows++;
      // Best effort: the order_id cell when the text before it is plain.
      const guess = record.text.split(',')[orderIdIndex]?.trim();
      yield {
        kind: 'rejected',
        error: {
          line,
          order_id: guess && !guess.includes('"') ? guess : null,
          column: null,
          reason: `malformed quoting: ${malformed}`,
        },
      };
      return;
    }
    if (isBlank(cells)) {
      yield { kind: 'blank', line };
      return;
    }
    dataRows++;
    const expected = header.raw.length;
    if (cells.length !== expected) {
      const extra = cells.length - expected;
      const hint =
        extra <= 0
          ? ''
          : isBlank(cells.slice(expected))
            ? `; the row ends with ${extra} empty field${extra === 1 ? '' : 's'} more than the header has (a trailing comma?)`
            : '; a value that contains a comma must be enclosed in double quotes';
      yield {
        kind: 'rejected',
        error: {
          line,
          order_id: cells[orderIdIndex]?.trim() || null,
          column: null,
          reason: `expected ${expected} fields (one per header column), found ${cells.length}${hint}`,
        },
      };
      return;
    }
    const row: RowCells = {};
    for (const [column, index] of columns) row[column] = (cells[index] ?? '').trim();
    const result = validateRow(row, line, ctx, seen);
    yield isRowError(result) ? { kind: 'rejected', error: result } : { kind: 'valid', line, order: result };
  }

  for await (const text of decodeText(input, ctx.gzip)) {
    for (const record of scanner.push(text)) yield* onRecord(record);
  }
  for (const record of scanner.end()) yield* onRecord(record);

  if (!header) {
    throw new FileRejectedError('the file is empty; expected a header row followed by at least one data row');
  }
  if (dataRows === 0) {
    throw new FileRejectedError(
      `the file has a header row (line ${headerLine}) but no data rows; expected at least one order`,
      headerLine,
    );
  }
}
