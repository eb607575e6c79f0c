/**
 * A file's errors report (`line,order_id,column,reason`, docs/csv-format.md) read for the console's
 * file page: parsed as it streams, filtered by column, kind of reason and a text search, and paged,
 * so a report of millions of rows costs one pass and the page's rows in memory.
 */
import { ERROR_REPORT_COLUMNS } from '../functions/order-processor/reports/csv-output.ts';

export interface ReportRow {
  line: string;
  order_id: string;
  column: string;
  reason: string;
}

export interface ReportQuery {
  column?: string;
  /** A kind of reason, as `reasonKind` names it. */
  kind?: string;
  /** Case-insensitive text in any cell. */
  text?: string;
  offset: number;
  limit: number;
}

export interface ReportPage {
  /** Rows in the report. */
  total: number;
  /** Rows that pass the filter. */
  matched: number;
  offset: number;
  rows: ReportRow[];
  /** Every column named in the report, with its count (for the filter's choices). */
  columns: { value: string; count: number }[];
  /** Every kind of reason (at most MAX_KINDS), with its count. */
  kinds: { value: string; count: number }[];
}

const MAX_KINDS = 100;

/** What a reason says without the values it quotes or the numbers in it: `quantity "0" is out of range; …` → `quantity … is out of range`. */
export function reasonKind(reason: string): string {
  return reason
    .split(' | ')
    .map((r) => r.split(';')[0]!.replace(/"(?:[^"\\]|\\.)*"/g, '…').replace(/\d+/g, 'N').trim())
    .join(' | ');
}

/** "(row)" stands for a problem of the whole row (no column), as `validate` prints it. */
export const ROW_COLUMN = '(row)';

/** Splits RFC 4180 text that arrives in pieces into records; `end()` flushes the last one. */
export class CsvRecords {
  private field = '';
  private record: string[] = [];
  private quoted = false;
  /** After a closing quote: a second quote is an escaped one. */
  private quoteSeen = false;

  push(text: string, onRecord: (cells: string[]) => void): void {
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (this.quoted) {
        if (c === '"') {
          this.quoted = false;
          this.quoteSeen = true;
        } else this.field += c;
        continue;
      }
      if (c === '"') {
        if (this.quoteSeen) this.field += '"';
        this.quoted = true;
        this.quoteSeen = false;
        continue;
      }
      this.quoteSeen = false;
      if (c === ',') {
        this.record.push(this.field);
        this.field = '';
      } else if (c === '\n') {
        this.record.push(this.field.endsWith('\r') ? this.field.slice(0, -1) : this.field);
        onRecord(this.record);
        this.record = [];
        this.field = '';
      } else this.field += c;
    }
  }

  end(onRecord: (cells: string[]) => void): void {
    if (this.field !== '' || this.record.length > 0) onRecord([...this.record, this.field]);
    this.record = [];
    this.field = '';
  }
}

/** The report's cells as written: a leading apostrophe guards spreadsheet formulas (reports/csv-output.ts); shown without it. */
const unguard = (cell: string): string => (/^'\s*[=+\-@\t\r\n]/.test(cell) ? cell.slice(1) : cell);

/** Reads a report's text chunks and answers one query. */
export async function queryReport(chunks: AsyncIterable<Uint8Array | string>, query: ReportQuery): Promise<ReportPage> {
  const decoder = new TextDecoder();
  const parser = new CsvRecords();
  const text = query.text?.trim().toLowerCase() || undefined;
  const columns = new Map<string, number>();
  const kinds = new Map<string, number>();
  const page: ReportRow[] = [];
  let total = 0;
  let matched = 0;
  let header = true;
  const onRecord = (cells: string[]) => {
    if (header) {
      header = false;
      if (cells.join(',') === ERROR_REPORT_COLUMNS.join(',')) return;
    }
    if (cells.length === 1 && cells[0] === '') return;
    const [line = '', order_id = '', column = '', reason = ''] = cells.map(unguard);
    const row: ReportRow = { line, order_id, column: column || ROW_COLUMN, reason };
    total++;
    columns.set(row.column, (columns.get(row.column) ?? 0) + 1);
    const kind = reasonKind(reason);
    if (kinds.has(kind) || kinds.size < MAX_KINDS) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    if (query.column && row.column !== query.column) return;
    if (query.kind && kind !== query.kind) return;
    if (text && !`${line}\n${order_id}\n${row.column}\n${reason}`.toLowerCase().includes(text)) return;
    if (matched >= query.offset && page.length < query.limit) page.push(row);
    matched++;
  };
  for await (const chunk of chunks) parser.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }), onRecord);
  parser.push(decoder.decode(), onRecord);
  parser.end(onRecord);
  const byCount = (m: Map<string, number>) => [...m].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
  return { total, matched, offset: query.offset, rows: page, columns: byCount(columns), kinds: byCount(kinds) };
}
