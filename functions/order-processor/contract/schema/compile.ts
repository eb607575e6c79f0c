/**
 * A checked schema (check.ts) compiled once into what reading a file needs: the header's names
 * (canonical names, aliases, their squashed forms), the required columns, and per header a row
 * validator — one rule per column, positions resolved, so a row costs one pass over the
 * columns. Pure.
 */
import { createHash } from 'node:crypto';
import { normalizeHeaderName, quote } from '../headers.ts';
import { hasVisibleCharacter } from '../look-alikes.ts';
import type { ContractContext, HeaderInfo, Order, OrderValue, RowError, SeenOrderIds } from '../types.ts';
import { cellRule, expectedText, idProblem, looksLikeId, type CellRule, type Problem } from './column-rules.ts';
import { LINE_ATTRIBUTE, RECORD_ATTRIBUTES, SCHEMA_VERSION_ATTRIBUTE, type ColumnSpec, type IdColumn, type SchemaSpec, type UnknownColumnPolicy } from './format.ts';

/** Which rules checked a file: recorded on every ingestion (version also on every order). */
export interface SchemaIdentity {
  name: string;
  version: number;
  /** The first 16 hex digits of the sha256 of the schema's canonical JSON (keys sorted, no spaces, no `$schema`). */
  fingerprint: string;
}

/** How a stored value is typed in DynamoDB. */
export type StoredType = 'S' | 'N' | 'BOOL';

/** The requirement of a header: one column, or at least one of a group. */
export type HeaderRequirement = string | readonly string[];

export interface CompiledSchema {
  readonly spec: SchemaSpec;
  readonly identity: SchemaIdentity;
  /** The key column (the orders table's key). */
  readonly key: string;
  /**
   * How an order's lines are told apart (docs/csv-format.md "Orders with several lines"): `one`
   * (no line column: one line per order), `column` (a line column) or `by-position`.
   */
  readonly lines: 'one' | 'column' | 'by-position';
  readonly keyMaxLength: number;
  readonly unknownColumns: UnknownColumnPolicy;
  /** Column names in declared order. */
  readonly columnNames: readonly string[];
  /** Every stored attribute of a valid order in cleaned-CSV order: the columns (the key followed by `line`), the derived values, the record's own. */
  readonly storedColumns: readonly string[];
  /**
   * The cleaned CSV's columns for a file with this header (docs/csv-format.md "Output files"):
   * `storedColumns` with the kept unknown columns (`keep`), in file order under their attribute
   * names, between the schema's columns and the derived ones. `storedColumns` itself without a header.
   */
  cleanedColumns(header?: HeaderInfo): readonly string[];
  /** How each schema attribute is stored (kept unknown columns are strings). */
  readonly storedTypes: ReadonlyMap<string, StoredType>;
  readonly requirements: readonly HeaderRequirement[];
  /** The column a header cell names (after normalisation, aliases, squashed forms), or null. */
  columnFor(headerCell: string): string | null;
  /** The row validator of a file with this header. */
  rowValidator(header: HeaderInfo): RowValidator;
  /**
   * The order a record of the header's field count belongs to, as the row validator sees it: its
   * trimmed key when well-formed, else null (such a row neither ends nor continues an order). The
   * planner cuts files of order lines between orders with it (contract/sync-lines.ts).
   */
  orderKey(header: HeaderInfo): (cells: readonly string[]) => string | null;
}

export type RowValidator = (cells: readonly string[], line: number, ctx: ContractContext, seen: SeenOrderIds) => Order | RowError;

const squash = (name: string): string => name.replace(/_/g, '');

const STORED: Record<ColumnSpec['type'], StoredType> = {
  id: 'S', text: 'S', email: 'S', date: 'S', datetime: 'S', currency: 'S', country: 'S', enum: 'S',
  integer: 'N', decimal: 'N', boolean: 'BOOL',
};

/** The canonical JSON of a value: object keys sorted, no whitespace (the fingerprint's input). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([k, v]) => k !== '$schema' && v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function schemaFingerprint(spec: SchemaSpec): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex').slice(0, 16);
}

/** Compiles a checked schema. The check (check.ts) guarantees what this relies on: unique names and aliases, a key id column. */
export function compileSchema(spec: SchemaSpec): CompiledSchema {
  const byName = new Map<string, string>();
  const bySquashed = new Map<string, string>();
  for (const column of spec.columns) {
    for (const alias of [column.name, ...column.aliases]) {
      const name = normalizeHeaderName(alias);
      byName.set(name, column.name);
      bySquashed.set(squash(name), column.name);
    }
  }
  const keySpec = spec.columns.find((c): c is IdColumn => c.name === spec.key && c.type === 'id');
  if (!keySpec) throw new Error(`the schema's key column ${spec.key} is not an id column (check.ts lets no such schema through)`);
  const grouped = new Set(spec.atLeastOne.flat());
  const requirements: HeaderRequirement[] = [];
  for (const column of spec.columns) {
    if (column.required && !grouped.has(column.name)) requirements.push(column.name);
    const group = spec.atLeastOne.find((g) => g[0] === column.name);
    if (group) requirements.push(group);
  }
  const storedTypes = new Map<string, StoredType>(spec.columns.map((c) => [c.name, STORED[c.type]]));
  for (const d of spec.derived) storedTypes.set(d.name, 'N');
  for (const a of RECORD_ATTRIBUTES) storedTypes.set(a, a === 'source_line' ? 'N' : 'S');
  storedTypes.set(SCHEMA_VERSION_ATTRIBUTE, 'N');
  storedTypes.set(LINE_ATTRIBUTE, 'N');
  const identity: SchemaIdentity = { name: spec.name, version: spec.version, fingerprint: schemaFingerprint(spec) };
  const plan = new ColumnPlan(spec, keySpec, identity);
  const ownColumns = spec.columns.flatMap((c) => (c.name === spec.key ? [c.name, LINE_ATTRIBUTE] : [c.name]));
  const added = [...spec.derived.map((d) => d.name), ...RECORD_ATTRIBUTES];
  const storedColumns = [...ownColumns, ...added];
  return {
    spec,
    identity,
    key: spec.key,
    lines: spec.lineColumn !== undefined ? 'column' : spec.lines === 'by-position' ? 'by-position' : 'one',
    keyMaxLength: keySpec.maxLength,
    unknownColumns: spec.unknownColumns,
    columnNames: spec.columns.map((c) => c.name),
    storedColumns,
    cleanedColumns(header) {
      const kept = header ? keptColumns(header, spec) : [];
      return kept.length === 0 ? storedColumns : [...ownColumns, ...kept.map(([name]) => name), ...added];
    },
    storedTypes,
    requirements,
    columnFor(headerCell) {
      const name = normalizeHeaderName(headerCell);
      return byName.get(name) ?? bySquashed.get(squash(name)) ?? null;
    },
    rowValidator: (header) => plan.validator(header),
    orderKey: (header) => plan.orderKey(header),
  };
}

/** An "at least one of" group, checked where its first column is. */
interface GroupCheck {
  members: readonly number[];
  names: readonly string[];
}

/** The per-schema half of the row validator: each column's rule and reasons, built once. */
class ColumnPlan {
  private readonly rules: CellRule[];
  private readonly groups: (GroupCheck | null)[];
  private readonly keyIndex: number;
  private readonly keyExpected: string;
  private readonly totals: { name: string; quantity: number; price: number; unit: number }[];

  constructor(
    private readonly spec: SchemaSpec,
    private readonly keySpec: IdColumn,
    private readonly identity: SchemaIdentity,
  ) {
    const index = new Map(spec.columns.map((c, i) => [c.name, i]));
    const at = (name: string): number => index.get(name) ?? -1;
    this.keyIndex = at(spec.key);
    this.keyExpected = expectedText(keySpec);
    this.rules = spec.columns.map((c) => (c.name === spec.key ? () => undefined : cellRule(c)));
    this.groups = spec.columns.map((c) => {
      const group = spec.atLeastOne.find((g) => g[0] === c.name);
      return group ? { members: group.map(at), names: group } : null;
    });
    this.totals = spec.derived.map((d) => {
      const price = spec.columns[at(d.of[1])];
      return { name: d.name, quantity: at(d.of[0]), price: at(d.of[1]), unit: 10 ** (price?.type === 'decimal' ? price.scale : 0) };
    });
  }

  orderKey(header: HeaderInfo): (cells: readonly string[]) => string | null {
    const at = header.canonical.indexOf(this.spec.key);
    const { keyExpected } = this;
    const keyName = this.spec.key;
    const keyMax = this.keySpec.maxLength;
    return (cells) => {
      const id = (cells[at] ?? '').trim();
      return idProblem(keyName, id, keyMax, keyExpected) === null ? id : null;
    };
  }

  validator(header: HeaderInfo): RowValidator {
    const positions = this.spec.columns.map((c) => header.canonical.indexOf(c.name));
    const kept = keptColumns(header, this.spec);
    const count = positions.length;
    const { rules, groups, keyIndex, keyExpected, totals } = this;
    const keyName = this.spec.key;
    const keyMax = this.keySpec.maxLength;
    const lineName = this.spec.lineColumn;
    const lineIndex = lineName === undefined ? -1 : this.spec.columns.findIndex((c) => c.name === lineName);
    const blocks = this.spec.lines === 'by-position' ? new OrderBlocks(this.spec, keyName) : null;
    // An id line column: the stored line is the row's place among its order's valid rows (the sort key is a number).
    const idLines = lineIndex >= 0 && this.spec.columns[lineIndex]?.type === 'id' ? new Map<string, number>() : null;
    const build = orderBuilder([...this.spec.columns.map((c) => c.name), ...totals.map((t) => t.name), ...kept.map(([name]) => name)], keyName);
    // One row is validated at a time, synchronously: these are reused from row to row.
    const values: (string | undefined)[] = new Array<string | undefined>(count).fill(undefined);
    const stored: (OrderValue | undefined)[] = new Array<OrderValue | undefined>(count + totals.length + kept.length).fill(undefined);
    const problems: Problem[] = [];
    const version = this.identity.version;
    return (cells, line, ctx, seen) => {
      for (let i = 0; i < count; i++) {
        const at = positions[i] as number;
        values[i] = at < 0 ? undefined : (cells[at] ?? '').trim();
      }
      problems.length = 0;
      const orderId = values[keyIndex] ?? '';
      const keyProblem = idProblem(keyName, orderId, keyMax, keyExpected);
      // By position: the row's place in its order's block, order-level values filled in before the rules run.
      const position = blocks && keyProblem === null ? blocks.place(orderId, line, values, seen, problems) : 1;
      // A row away from its order's block: that is its reason (its empty order-level cells would add noise).
      if (position === 0) return { line, order_id: orderId, column: keyName, reason: problems.map((p) => p.reason).join(' | ') };
      for (let i = 0; i < count; i++) {
        const group = groups[i];
        if (group) checkGroup(group, values, problems);
        if (i === keyIndex) {
          if (keyProblem) problems.push(keyProblem);
          else if (lineIndex < 0 && !blocks) checkDuplicate(keyName, orderId, line, seen, problems);
          stored[i] = orderId;
        } else {
          stored[i] = (rules[i] as CellRule)(values[i], problems, ctx);
        }
      }
      const lineValue = lineIndex < 0 ? position : stored[lineIndex];
      if (lineIndex >= 0 && keyProblem === null && (typeof lineValue === 'number' || typeof lineValue === 'string')) {
        checkDuplicateLine(keyName, lineName as string, orderId, lineValue, line, seen, problems);
      }
      let orderLine = lineValue;
      if (idLines && problems.length === 0) {
        orderLine = (idLines.get(orderId) ?? ctx.linesBefore?.get(orderId) ?? 0) + 1;
        idLines.set(orderId, orderLine);
      }
      if (problems.length > 0) {
        return {
          line,
          order_id: orderId === '' ? null : orderId,
          column: problems[0]?.column ?? null,
          reason: problems.map((p) => p.reason).join(' | '),
        };
      }
      let at = count;
      for (const total of totals) {
        const quantity = stored[total.quantity];
        const price = stored[total.price];
        // Integer minor units: 3 × 1999 = 5997 → 59.97, never 59.970000000000006.
        stored[at++] = typeof quantity === 'number' && typeof price === 'number' ? (quantity * Math.round(price * total.unit)) / total.unit : undefined;
      }
      for (const [, position] of kept) {
        const value = (cells[position] ?? '').trim();
        stored[at++] = hasVisibleCharacter(value) ? value : undefined;
      }
      return build(stored, ctx, line, version, orderLine as number);
    };
  }
}

/**
 * The order's constructor for a list of attribute names: an object literal with those names in
 * that order (the key followed by `line`, the order line), then the record's own attributes.
 * Generated once per header (the names are the
 * schema's checked snake_case names and normalised header names, written as JSON string
 * literals), so every order of a file has one shape: a literal is about twice as fast to build
 * per row as assigning computed names one by one, and everything downstream (the DynamoDB
 * marshaller, the cleaned CSV) reads objects of one hidden class. An attribute without a value
 * is undefined (never stored, an empty cell in the cleaned CSV).
 */
type Build = (stored: readonly (OrderValue | undefined)[], ctx: ContractContext, line: number, version: number, orderLine: number) => Order;
function orderBuilder(names: readonly string[], keyName: string): Build {
  const fields = names.flatMap((name, i) => {
    const field = `${JSON.stringify(name)}: s[${i}]`;
    return name === keyName ? [field, `${JSON.stringify(LINE_ATTRIBUTE)}: n`] : [field];
  });
  fields.push('source_key: c.sourceKey', 'source_line: l', 'ingestion_id: c.ingestionId', 'processed_at: c.processedAt', `${SCHEMA_VERSION_ATTRIBUTE}: v`);
  try {
    return new Function('s', 'c', 'l', 'v', 'n', `return { ${fields.join(', ')} };`) as Build;
  } catch {
    // Where code may not be generated (a Content-Security-Policy without 'unsafe-eval'): the same object, slower.
    return (stored, ctx, line, version, orderLine) => {
      const order: Record<string, OrderValue | undefined> = {};
      names.forEach((name, i) => {
        order[name] = stored[i];
        if (name === keyName) order[LINE_ATTRIBUTE] = orderLine;
      });
      return { ...order, source_key: ctx.sourceKey, source_line: line, ingestion_id: ctx.ingestionId, processed_at: ctx.processedAt, [SCHEMA_VERSION_ATTRIBUTE]: version } as Order;
    };
  }
}

/**
 * The duplicate rule of a file without a line column: each order_id once per file. A well-formed
 * id is remembered in `seen` even when the row fails, so a later row with the same id is reported
 * as its duplicate.
 */
function checkDuplicate(name: string, id: string, line: number, seen: SeenOrderIds, problems: Problem[]): void {
  const firstLine = seen.get(id);
  if (firstLine === undefined) {
    // The processor's OrderIdSet copies the id's bytes: no slice of the record text stays alive.
    seen.set(id, line);
    return;
  }
  problems.push({ column: name, reason: `duplicate ${name} ${quote(id)}: first seen on line ${firstLine}; expected each ${name} once per file` });
}

/**
 * The duplicate rule of a file with a line column: (order_id, line) once per file. The set's
 * entry is the id, a NUL (never in an id) and the line: distinct from every plain id.
 */
function checkDuplicateLine(keyName: string, lineName: string, id: string, orderLine: number | string, line: number, seen: SeenOrderIds, problems: Problem[]): void {
  const entry = `${id}\u0000${orderLine}`;
  const firstLine = seen.get(entry);
  if (firstLine === undefined) {
    seen.set(entry, line);
    return;
  }
  problems.push({
    column: lineName,
    reason: `duplicate order line: ${keyName} ${quote(id)} ${lineName} ${typeof orderLine === 'string' ? quote(orderLine) : orderLine} was first seen on line ${firstLine}; expected each ${keyName} and ${lineName} together once per file`,
  });
}

/**
 * The lines of `"lines": "by-position"` (docs/csv-format.md "Orders with several lines"): one
 * file's current order — its block of adjacent rows — and its first row's order-level values.
 * `seen` maps each order_id to the last line of its block, so an order whose rows come back after
 * another order's is recognised and rejected naming where its rows ended. A row that comes back
 * ends the current block too (the next row of that order is no longer adjacent to it): which
 * order a row continues then depends only on the row before it with a well-formed order_id,
 * which is what lets a file be cut between two orders and read in parts (contract/parts.ts).
 */
class OrderBlocks {
  private id: string | null = null;
  private count = 0;
  private firstLine = 0;
  /** Positions (in the schema's columns) of the order-level columns. */
  private readonly orderLevel: number[];
  private readonly names: string[];
  private readonly firstValues: (string | undefined)[];

  constructor(
    spec: SchemaSpec,
    private readonly keyName: string,
  ) {
    this.names = spec.columns.map((c) => c.name);
    this.orderLevel = spec.columns.flatMap((c, i) => (c.level === 'order' ? [i] : []));
    this.firstValues = new Array<string | undefined>(spec.columns.length).fill(undefined);
  }

  /**
   * The row's line in its order (from 1), with its empty order-level cells set to the first
   * row's values in `values`; a conflicting value or a row away from its order's block adds a
   * problem (0 for the latter: the row belongs to no block).
   */
  place(id: string, line: number, values: (string | undefined)[], seen: SeenOrderIds, problems: Problem[]): number {
    if (id !== this.id) {
      const ended = seen.get(id);
      if (ended !== undefined) {
        problems.push({
          column: this.keyName,
          reason: `${this.keyName} ${quote(id)} comes back after its rows ended on line ${ended}; expected the rows of one order next to each other`,
        });
        this.id = null;
        return 0;
      }
      this.id = id;
      this.count = 0;
      this.firstLine = line;
      for (const j of this.orderLevel) this.firstValues[j] = values[j];
    } else {
      for (const j of this.orderLevel) {
        const value = values[j];
        const first = this.firstValues[j];
        if (!hasVisibleCharacter(value)) values[j] = first;
        else if (value !== first) {
          const name = this.names[j] as string;
          const was = hasVisibleCharacter(first) ? quote(first as string) : 'empty';
          problems.push({
            column: name,
            reason: `${name} ${quote(value as string)} differs from the order's first row (line ${this.firstLine}: ${was}); expected the same value, or an empty cell, on an order's later rows`,
          });
        }
      }
    }
    seen.set(id, line);
    return ++this.count;
  }
}

/** "At least one of": some member has a visible character. */
function checkGroup(group: GroupCheck, values: readonly (string | undefined)[], problems: Problem[]): void {
  // A loop, not some(): no closure per row.
  const { members } = group;
  for (let k = 0; k < members.length; k++) if (hasVisibleCharacter(values[members[k] as number])) return;
  const present = group.names.filter((_, k) => values[group.members[k] as number] !== undefined);
  const [only] = present;
  if (present.length === 1 && only !== undefined) {
    const absent = group.names.filter((n) => n !== only).join(' or ');
    problems.push({ column: only, reason: `${only} is empty; expected a value (the file has no ${absent} column)` });
    return;
  }
  const all = present.length === 2 ? `${present[0]} and ${present[1]} are both empty` : `${present.slice(0, -1).join(', ')} and ${present[present.length - 1]} are all empty`;
  problems.push({ column: present[0] ?? group.names[0] ?? '', reason: `${all}; expected at least one of them` });
}

/**
 * The attributes the pipeline itself gives every order (docs/csv-format.md "Columns", the derived ones):
 * `line`, the derived values, the record's own and the schema version. An unknown column named
 * like one of them is not kept: a cleaned CSV carries them, and read back under the same schema
 * it must give the same orders, not these values again as kept strings.
 */
function pipelineAttributes(spec: Pick<SchemaSpec, 'derived'>): ReadonlySet<string> {
  return new Set<string>([LINE_ATTRIBUTE, ...spec.derived.map((d) => d.name), ...RECORD_ATTRIBUTES, SCHEMA_VERSION_ATTRIBUTE]);
}

/**
 * The unknown columns a `keep` schema stores, as [attribute, position], in file order: the header
 * name normalised to snake_case (docs/csv-format.md "Unknown columns"); `column_<n>` (its 1-based
 * position) when that is empty or an earlier kept column's (then `column_<n>_2`, … if that is
 * taken too). A header cell that is empty, or names one of the pipeline's own attributes, is not kept.
 */
export function keptColumns(header: HeaderInfo, spec: Pick<SchemaSpec, 'unknownColumns' | 'columns' | 'derived'>): [string, number][] {
  if (spec.unknownColumns !== 'keep') return [];
  const own = pipelineAttributes(spec);
  const taken = new Set<string>(spec.columns.map((c) => c.name));
  const kept: [string, number][] = [];
  header.canonical.forEach((column, i) => {
    const raw = header.raw[i] ?? '';
    if (column !== null || raw === '') return;
    let attribute = normalizeHeaderName(raw);
    if (own.has(attribute)) return;
    if (attribute === '' || taken.has(attribute)) attribute = `column_${i + 1}`;
    for (let n = 2; taken.has(attribute); n++) attribute = `column_${i + 1}_${n}`;
    taken.add(attribute);
    kept.push([attribute, i]);
  });
  return kept;
}

/** Whether a value passes the key's id rule (to name the order of a row broken before the rules ran). */
export function looksLikeKey(schema: Pick<CompiledSchema, 'keyMaxLength'>, value: string | undefined): value is string {
  return looksLikeId(value, schema.keyMaxLength);
}
