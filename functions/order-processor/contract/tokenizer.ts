/**
 * The one definition of quoting in the CSV contract (docs/csv-format.md "Quoting and records"),
 * applied to the bytes of one physical line at a time.
 *
 * Why our own tokenizer rather than fast-csv: fast-csv reports no line numbers; it stops the whole
 * stream at the first malformed quote; it skips any Unicode space before an opening quote (this
 * contract: only ASCII space and tab); and using it per record needs its private Parser class
 * (a deep import a patch release may move). Record boundaries and fields must come from the same
 * rules, or a stray quote makes them disagree and rows vanish between them. So this file is the
 * only place that reads quotes; fast-csv's public API remains a test oracle for well-formed CSV.
 *
 * It works on bytes, not decoded text: quote, comma, CR, LF, space and tab are ASCII and never
 * occur inside a UTF-8 multi-byte sequence, so scanning bytes is exact and yields byte offsets.
 * Values are decoded to strings as they are cut out. A line is tokenized in one of two modes:
 *  - from its start (`inside` = false): how the line reads on its own;
 *  - as the continuation of a quoted value left open by an earlier line (`inside` = true).
 * records.ts joins lines into records from these two readings, each computed at most once per
 * line.
 *
 * Rules: a quote opens a quoted value only at the start of a field, optionally after spaces or
 * tabs (0x20, 0x09; other Unicode spaces are content); inside a quoted value `""` is one literal
 * quote; after the closing quote only spaces or tabs may come before the comma or the line end; a
 * quote inside an unquoted value is an ordinary character (`27" monitor`).
 */

const QUOTE = 0x22;
const COMMA = 0x2c;
const SPACE = 0x20;
const TAB = 0x09;

export interface LineTokens {
  /**
   * closed: every value on the line is closed; open: the line ends inside a quoted value;
   * malformed: something other than a comma or the line end follows a closing quote.
   */
  state: 'closed' | 'open' | 'malformed';
  /**
   * Continuation mode only (null otherwise): the text of the value the line began inside, up to its
   * closing quote, or the whole line when the value does not close on it.
   */
  head: string | null;
  /** Continuation mode: whether the value the line began inside closes on this line. */
  headCloses: boolean;
  /**
   * The fields that start on this line, decoded (quotes removed, `""` unescaped). With state
   * `open` the last one is the quoted value left open, so far; with `malformed`, the last one is
   * the value the stray text follows.
   */
  cells: string[];
  /** malformed: which field (1-based on this line; 0 = the head) has text after its closing quote, and that character. */
  badField: number;
  found: string;
}

/** Reads one line's bytes (without its line terminator). */
export function tokenizeLine(bytes: Buffer, inside: boolean): LineTokens {
  const tokens: LineTokens = { state: 'closed', head: null, headCloses: true, cells: [], badField: 0, found: '' };
  if (bytes.indexOf(QUOTE) < 0) {
    // Nothing to unquote: the fields are exactly the comma-separated pieces (a test pins this
    // shortcut to the state machine below).
    const text = bytes.toString('utf8');
    if (inside) {
      tokens.state = 'open';
      tokens.head = text;
      tokens.headCloses = false;
    } else {
      tokens.cells = text.split(',');
    }
    return tokens;
  }
  const end = bytes.length;
  let i = 0;
  if (inside) {
    const close = closingQuote(bytes, 0);
    if (close < 0) {
      tokens.state = 'open';
      tokens.head = decodeQuoted(bytes, 0, end);
      tokens.headCloses = false;
      return tokens;
    }
    tokens.head = decodeQuoted(bytes, 0, close);
    const next = afterClosingQuote(bytes, close + 1, tokens, 0);
    if (next < 0) return tokens;
    i = next;
  }
  for (;;) {
    let start = i;
    while (start < end && (bytes[start] === SPACE || bytes[start] === TAB)) start++;
    if (start < end && bytes[start] === QUOTE) {
      const close = closingQuote(bytes, start + 1);
      if (close < 0) {
        tokens.cells.push(decodeQuoted(bytes, start + 1, end));
        tokens.state = 'open';
        return tokens;
      }
      tokens.cells.push(decodeQuoted(bytes, start + 1, close));
      const next = afterClosingQuote(bytes, close + 1, tokens, tokens.cells.length);
      if (next < 0) return tokens;
      i = next;
      continue;
    }
    const comma = bytes.indexOf(COMMA, i);
    if (comma < 0) {
      tokens.cells.push(bytes.toString('utf8', i, end));
      return tokens;
    }
    tokens.cells.push(bytes.toString('utf8', i, comma));
    i = comma + 1;
  }
}

/** Index of the quote that closes a quoted value whose text starts at `from`, or -1 (still open at the line end). */
function closingQuote(bytes: Buffer, from: number): number {
  let at = from;
  for (;;) {
    const quote = bytes.indexOf(QUOTE, at);
    if (quote < 0) return -1;
    if (bytes[quote + 1] !== QUOTE) return quote;
    at = quote + 2; // "" is a literal quote
  }
}

/**
 * After a closing quote: skips spaces/tabs and returns where the next field starts (after the
 * comma), or -1 when the line ends there (state stays closed) or is malformed (state set).
 */
function afterClosingQuote(bytes: Buffer, from: number, tokens: LineTokens, field: number): number {
  let at = from;
  while (at < bytes.length && (bytes[at] === SPACE || bytes[at] === TAB)) at++;
  if (at === bytes.length) return -1;
  if (bytes[at] === COMMA) return at + 1;
  tokens.state = 'malformed';
  tokens.badField = field;
  tokens.found = characterAt(bytes, at);
  return -1;
}

function decodeQuoted(bytes: Buffer, start: number, end: number): string {
  const text = bytes.toString('utf8', start, end);
  return text.includes('""') ? text.replaceAll('""', '"') : text;
}

/** The whole character starting at byte `at` (UTF-8 is validated before tokenizing). */
function characterAt(bytes: Buffer, at: number): string {
  const text = bytes.toString('utf8', at, Math.min(bytes.length, at + 4));
  return String.fromCodePoint(text.codePointAt(0) ?? 0xfffd);
}

/** A line (or record) is blank when every field is empty or whitespace. */
export function isBlank(cells: readonly string[]): boolean {
  return cells.every((cell) => cell.trim() === '');
}
