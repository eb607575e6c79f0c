import { describe, expect, it } from 'vitest';
import {
  hasVisibleCharacter,
  isRowError,
  parseIsoDate,
  validateRow,
  type RowCells,
  type SeenOrderIds,
} from '../../../../functions/order-processor/contract/rules.ts';
import type { ContractContext, Order, RowError } from '../../../../functions/order-processor/contract/types.ts';

const NOW = new Date('2026-01-15T12:00:00.000Z');

function makeContext(overrides: Partial<ContractContext> = {}): ContractContext {
  return {
    sourceKey: 'raw-data/orders.csv',
    ingestionId: 'ing-1',
    processedAt: '2026-01-15T12:00:01.000Z',
    now: NOW,
    ...overrides,
  };
}

function makeCells(overrides: RowCells = {}): RowCells {
  return {
    order_id: 'ORD-1',
    customer_name: 'Alice Martin',
    product_name: 'Keyboard',
    quantity: '2',
    unit_price: '10.00',
    ...overrides,
  };
}

function valid(cells: RowCells, seen: SeenOrderIds = new Map()): Order {
  const result = validateRow(cells, 2, makeContext(), seen);
  if (isRowError(result)) throw new Error(`expected a valid row, got: ${result.reason}`);
  return result;
}

function rejected(cells: RowCells, seen: SeenOrderIds = new Map(), line = 2): RowError {
  const result = validateRow(cells, line, makeContext(), seen);
  if (!isRowError(result)) throw new Error(`expected a rejected row, got ${JSON.stringify(result)}`);
  return result;
}

const ID_EXPECTED = 'expected 1 to 64 characters of A-Z, a-z, 0-9, ".", "_", ":" or "-"';
const QTY_EXPECTED = 'expected a whole number from 1 to 1,000,000';
const PRICE_EXPECTED = 'expected a decimal number from 0 to 1,000,000 with at most 2 decimals, e.g. 19.99';
const DATE_EXPECTED = 'expected an ISO 8601 date like 2024-03-05 or date-time like 2024-03-05T14:30:00Z';

describe('validateRow', () => {
  it('enriches a valid row with the derived attributes and omits absent optional ones', () => {
    // Act
    const order = validateRow(makeCells(), 7, makeContext(), new Map());

    // Assess
    expect(order).toEqual({
      order_id: 'ORD-1',
      line: 1,
      customer_name: 'Alice Martin',
      product_name: 'Keyboard',
      quantity: 2,
      unit_price: 10,
      currency: 'USD',
      total_amount: 20,
      source_key: 'raw-data/orders.csv',
      source_line: 7,
      ingestion_id: 'ing-1',
      processed_at: '2026-01-15T12:00:01.000Z',
      schema_version: 1,
    });
  });

  describe('order_id', () => {
    it.each(['A', 'ORD-1', 'a.b_c:d-e', 'X'.repeat(64)])('accepts %j', (id) => {
      expect(valid(makeCells({ order_id: id })).order_id).toBe(id);
    });

    it('rejects an empty order_id', () => {
      expect(rejected(makeCells({ order_id: '' }))).toEqual({
        line: 2,
        order_id: null,
        column: 'order_id',
        reason: `order_id is empty; ${ID_EXPECTED}`,
      });
    });

    it('rejects an order_id longer than 64 characters', () => {
      const id = 'X'.repeat(65);
      expect(rejected(makeCells({ order_id: id })).reason).toBe(
        `order_id "${id}" is 65 characters long; expected at most 64`,
      );
    });

    it('names the characters that are not allowed', () => {
      expect(rejected(makeCells({ order_id: 'ORD 1/#' })).reason).toBe(
        `order_id "ORD 1/#" contains " ", "/", "#"; ${ID_EXPECTED}`,
      );
    });

    it('rejects a second row with the same order_id, naming the first line', () => {
      // Prepare
      const seen: SeenOrderIds = new Map();
      valid(makeCells({ order_id: 'ORD-1' }), seen);

      // Act
      const error = rejected(makeCells({ order_id: 'ORD-1' }), seen, 9);

      // Assess
      expect(error).toEqual({
        line: 9,
        order_id: 'ORD-1',
        column: 'order_id',
        reason: 'duplicate order_id "ORD-1": first seen on line 2; expected each order_id once per file',
      });
    });

    it('treats order_ids case-sensitively, like the table key', () => {
      const seen: SeenOrderIds = new Map();
      valid(makeCells({ order_id: 'ord-1' }), seen);
      expect(valid(makeCells({ order_id: 'ORD-1' }), seen).order_id).toBe('ORD-1');
    });

    it('remembers the order_id of a rejected row, so a later copy is a duplicate', () => {
      const seen: SeenOrderIds = new Map();
      rejected(makeCells({ quantity: 'x' }), seen, 3);
      expect(rejected(makeCells(), seen, 4).reason).toBe(
        'duplicate order_id "ORD-1": first seen on line 3; expected each order_id once per file',
      );
    });
  });

  describe('customer and product', () => {
    it('accepts customer_id without customer_name and product_sku without product_name', () => {
      const order = valid({ order_id: 'A', customer_id: 'C-1', product_sku: 'SKU-1', quantity: '1', unit_price: '1' });
      expect(order).toMatchObject({ customer_id: 'C-1', product_sku: 'SKU-1' });
      expect(order.customer_name, 'not stored').toBeUndefined();
    });

    it('rejects a row where both customer columns are empty', () => {
      expect(rejected(makeCells({ customer_id: '', customer_name: '' }))).toMatchObject({
        column: 'customer_id',
        reason: 'customer_id and customer_name are both empty; expected at least one of them',
      });
    });

    it('says which column is missing when the file has only one of the pair', () => {
      expect(rejected(makeCells({ product_name: '' }))).toMatchObject({
        column: 'product_name',
        reason: 'product_name is empty; expected a value (the file has no product_sku column)',
      });
    });

    it.each([
      ['a zero-width space', '\u200b'],
      ['joiners and a word joiner', '\u200d\u2060'],
      ['a BOM', '\ufeff'],
      ['a Hangul filler', '\u3164'],
      ['a blank Braille pattern', '\u2800'],
      ['ideographic spaces', '\u3000\u3000'],
      ['a combining mark alone', '\u0301'],
      ['a soft hyphen and a variation selector', '\u00ad\ufe0f'],
    ])('counts a name made of %s as empty', (_name, value) => {
      expect(rejected(makeCells({ customer_name: value }))).toMatchObject({
        column: 'customer_name',
        reason: 'customer_name is empty; expected a value (the file has no customer_id column)',
      });
      expect(rejected(makeCells({ customer_id: value, customer_name: '\u200b' })).reason).toBe(
        'customer_id and customer_name are both empty; expected at least one of them',
      );
    });

    it('keeps a visible name with invisible characters in it, and does not store an invisible one', () => {
      // Act
      const order = valid(makeCells({ customer_id: '\u200b', customer_name: 'Zoë\u200d', product_sku: '\u2060', product_name: 'e\u0301' }));

      // Assess
      expect(order).toMatchObject({ customer_name: 'Zoë\u200d', product_name: 'e\u0301' });
      expect(order.customer_id, 'not stored').toBeUndefined();
      expect(order.product_sku, 'not stored').toBeUndefined();
    });

    it.each([
      ['an escape sequence', 'product_name', 'Pen\u001b[31m', 'U+001B'],
      ['a bell', 'customer_name', 'Ann\u0007', 'U+0007'],
      ['a DEL', 'product_sku', 'SKU\u007f', 'U+007F'],
      ['a C1 control', 'customer_id', 'C\u0085-1', 'U+0085'],
    ] as const)('rejects a name holding %s', (_what, column, value, code) => {
      // Act
      const error = rejected(makeCells({ [column]: value }));
      // Assess
      expect(error.column).toBe(column);
      expect(error.reason).toContain(`contains the control character ${code}; expected printable text (tabs and line breaks are allowed)`);
    });

    it('keeps tabs and line breaks inside names, as spreadsheet exports write them', () => {
      // Assess
      expect(valid(makeCells({ product_name: 'Mug\r\nwith\thandle' })).product_name).toBe('Mug\r\nwith\thandle');
    });

    it('rejects names longer than 256 characters', () => {
      expect(valid(makeCells({ customer_name: 'é'.repeat(256) })).customer_name).toHaveLength(256);
      expect(rejected(makeCells({ product_name: 'p'.repeat(257) })).reason).toBe(
        'product_name is 257 characters long; expected at most 256',
      );
    });
  });

  describe('customer_email', () => {
    it('lower-cases a plausible address', () => {
      expect(valid(makeCells({ customer_email: 'Jonas.Bauer@Example.DE' })).customer_email).toBe('jonas.bauer@example.de');
    });

    it.each(['bob@', 'bob@example', 'bob example@x.com', '@example.com', 'a@b..com'])('rejects %j', (email) => {
      expect(rejected(makeCells({ customer_email: email }))).toMatchObject({
        column: 'customer_email',
        reason: `customer_email "${email}" is not a plausible e-mail address; expected an address like name@example.com`,
      });
    });

    it.each([
      ['bob\u200b@example.com', 'bob\\u200b@example.com'],
      ['bob@exa\u00admple.com', 'bob@exa\\u00admple.com'],
      ['\u2060', '\\u2060'],
      ['bob\u0007@example.com', 'bob\\u0007@example.com'],
    ])('rejects %j, which hides an invisible character (shown escaped)', (email, shown) => {
      expect(rejected(makeCells({ customer_email: email })).reason).toBe(
        `customer_email "${shown}" is not a plausible e-mail address; expected an address like name@example.com`,
      );
    });
  });

  describe('quantity', () => {
    it.each([
      ['1', 1],
      ['1000000', 1_000_000],
      ['007', 7],
    ])('accepts %j', (raw, expected) => {
      expect(valid(makeCells({ quantity: raw })).quantity).toBe(expected);
    });

    it.each([
      ['', 'quantity is empty; ' + QTY_EXPECTED],
      ['abc', `quantity "abc" is not a whole number; ${QTY_EXPECTED}`],
      ['1.5', `quantity "1.5" is not a whole number; ${QTY_EXPECTED}`],
      ['1.0', `quantity "1.0" is not a whole number; ${QTY_EXPECTED}`],
      ['1e3', `quantity "1e3" is not a whole number; ${QTY_EXPECTED}`],
      ['-2', `quantity "-2" is not a whole number; ${QTY_EXPECTED}`],
      ['1,000', `quantity "1,000" is not a whole number; ${QTY_EXPECTED}`],
      ['0', `quantity "0" is out of range; ${QTY_EXPECTED}`],
      ['1000001', `quantity "1000001" is out of range; ${QTY_EXPECTED}`],
      ['１２', `quantity "１２" is not a whole number; ${QTY_EXPECTED}`],
      ['٣', `quantity "٣" is not a whole number; ${QTY_EXPECTED}`],
      ['\u200b', `quantity "\\u200b" is not a whole number; ${QTY_EXPECTED}`],
    ])('rejects %j', (raw, reason) => {
      expect(rejected(makeCells({ quantity: raw }))).toMatchObject({ column: 'quantity', reason });
    });
  });

  describe('unit_price', () => {
    it.each([
      ['19.99', 19.99],
      ['20', 20],
      ['0', 0],
      ['0.5', 0.5],
      ['1000000', 1_000_000],
      ['1000000.00', 1_000_000],
    ])('accepts %j', (raw, expected) => {
      expect(valid(makeCells({ unit_price: raw })).unit_price).toBe(expected);
    });

    it.each([
      ['', `unit_price is empty; ${PRICE_EXPECTED}`],
      ['-1', `unit_price "-1" is negative; ${PRICE_EXPECTED}`],
      ['1.999', `unit_price "1.999" has more than 2 decimals; ${PRICE_EXPECTED}`],
      ['$5', `unit_price "$5" is not a plain decimal number; ${PRICE_EXPECTED}`],
      ['5 EUR', `unit_price "5 EUR" is not a plain decimal number; ${PRICE_EXPECTED}`],
      ['1,000.00', `unit_price "1,000.00" is not a plain decimal number; ${PRICE_EXPECTED}`],
      ['1e3', `unit_price "1e3" is not a plain decimal number; ${PRICE_EXPECTED}`],
      ['.5', `unit_price ".5" is not a plain decimal number; ${PRICE_EXPECTED}`],
      ['+5', `unit_price "+5" is not a plain decimal number; ${PRICE_EXPECTED}`],
      ['-0', `unit_price "-0" is not a plain decimal number; ${PRICE_EXPECTED}`],
      ['-0.00', `unit_price "-0.00" is not a plain decimal number; ${PRICE_EXPECTED}`],
      ['+0', `unit_price "+0" is not a plain decimal number; ${PRICE_EXPECTED}`],
      ['１.５０', `unit_price "１.５０" is not a plain decimal number; ${PRICE_EXPECTED}`],
      ['1000000.01', `unit_price "1000000.01" is more than 1,000,000; ${PRICE_EXPECTED}`],
    ])('rejects %j', (raw, reason) => {
      expect(rejected(makeCells({ unit_price: raw }))).toMatchObject({ column: 'unit_price', reason });
    });
  });

  describe('total_amount', () => {
    it.each([
      ['3', '19.99', 59.97],
      ['3', '0.10', 0.3],
      ['1', '0.1', 0.1],
      ['7', '0.07', 0.49],
      ['100', '1.15', 115],
      ['1000000', '1000000', 1_000_000_000_000],
      ['5', '0', 0],
    ])('is exact for %s × %s', (quantity, price, total) => {
      expect(valid(makeCells({ quantity, unit_price: price })).total_amount).toBe(total);
    });
  });

  describe('currency', () => {
    it('defaults to USD', () => {
      expect(valid(makeCells({ currency: '' })).currency).toBe('USD');
      expect(valid(makeCells()).currency).toBe('USD');
    });

    it.each([
      ['eur', 'EUR'],
      ['GBP', 'GBP'],
      ['jpy', 'JPY'],
      ['XCG', 'XCG'],
    ])('accepts %j as %j', (raw, expected) => {
      expect(valid(makeCells({ currency: raw })).currency).toBe(expected);
    });

    it.each(['XYZ', 'US$', 'EURO', 'XXX', 'HRK', 'uſd', 'ınr', 'ＵＳＤ', 'UЅD'])('rejects %j', (raw) => {
      expect(rejected(makeCells({ currency: raw }))).toMatchObject({
        column: 'currency',
        reason: `currency "${raw}" is not an ISO 4217 currency code; expected a three-letter ISO 4217 code such as USD, EUR or GBP`,
      });
    });

    it('rejects a code hiding a zero-width space rather than defaulting it', () => {
      expect(rejected(makeCells({ currency: '\u200b' })).reason).toBe(
        'currency "\\u200b" is not an ISO 4217 currency code; expected a three-letter ISO 4217 code such as USD, EUR or GBP',
      );
    });
  });

  describe('order_date', () => {
    it.each([
      ['2024-03-05', '2024-03-05T00:00:00.000Z'],
      ['2024-02-29', '2024-02-29T00:00:00.000Z'],
      ['2024-03-05T14:30:00Z', '2024-03-05T14:30:00.000Z'],
      ['2024-03-05T14:30Z', '2024-03-05T14:30:00.000Z'],
      ['2024-03-05 14:30:00', '2024-03-05T14:30:00.000Z'],
      ['2024-03-05T14:30:00+02:00', '2024-03-05T12:30:00.000Z'],
      ['2024-03-05T01:30:00-0500', '2024-03-05T06:30:00.000Z'],
      ['2024-03-05T14:30:00.123456Z', '2024-03-05T14:30:00.123Z'],
      ['2026-01-16T11:59:59Z', '2026-01-16T11:59:59.000Z'],
    ])('accepts %j and stores %j', (raw, stored) => {
      expect(valid(makeCells({ order_date: raw })).order_date).toBe(stored);
    });

    it.each([
      ['05/03/2024', 'is not an ISO 8601 date or date-time'],
      ['2024-3-5', 'is not an ISO 8601 date or date-time'],
      ['20240305', 'is not an ISO 8601 date or date-time'],
      ['yesterday', 'is not an ISO 8601 date or date-time'],
      ['2023-02-29', 'is not a real calendar date or time'],
      ['2024-13-01', 'is not a real calendar date or time'],
      ['2024-04-31', 'is not a real calendar date or time'],
      ['2024-03-05T24:00:00Z', 'is not a real calendar date or time'],
    ])('rejects %j', (raw, problem) => {
      expect(rejected(makeCells({ order_date: raw }))).toMatchObject({
        column: 'order_date',
        reason: `order_date "${raw}" ${problem}; ${DATE_EXPECTED}`,
      });
    });

    it.each(['1970-01-01', '1970-01-01T00:00:00Z', '1970-01-01T01:00:00+01:00'])('accepts %j, the earliest instant', (raw) => {
      expect(valid(makeCells({ order_date: raw })).order_date).toBe('1970-01-01T00:00:00.000Z');
    });

    it.each(['0000-01-01', '0099-12-31', '1969-12-31T23:59:59Z', '1970-01-01T00:30:00+01:00'])('rejects %j as before 1970', (raw) => {
      expect(rejected(makeCells({ order_date: raw }))).toMatchObject({
        column: 'order_date',
        reason: `order_date "${raw}" is too far in the past; expected no earlier than 1970-01-01T00:00:00.000Z`,
      });
    });

    it.each(['２０２４-０３-０５', '٢٠٢٤-٠٣-٠٥'])('rejects %j, digits that are not ASCII', (raw) => {
      expect(rejected(makeCells({ order_date: raw })).reason).toBe(`order_date "${raw}" is not an ISO 8601 date or date-time; ${DATE_EXPECTED}`);
    });

    it('rejects a date more than 1 day after ctx.now', () => {
      expect(rejected(makeCells({ order_date: '2026-01-16T12:00:01Z' }))).toMatchObject({
        column: 'order_date',
        reason:
          'order_date "2026-01-16T12:00:01Z" is in the future; expected no later than 2026-01-16T12:00:00.000Z (1 day after processing)',
      });
    });
  });

  it('names every failing rule, with column = the first failing column', () => {
    // Act
    const error = rejected(makeCells({ quantity: 'abc', unit_price: '$5' }));

    // Assess
    expect(error.column).toBe('quantity');
    expect(error.reason).toBe(
      `quantity "abc" is not a whole number; ${QTY_EXPECTED} | unit_price "$5" is not a plain decimal number; ${PRICE_EXPECTED}`,
    );
  });
});

describe('hasVisibleCharacter', () => {
  it.each([
    ['Bob', true],
    ['😀', true],
    ['ß', true],
    ['\uf8ff', true],
    ['', false],
    [undefined, false],
    [' \t\u00a0', false],
    ['\u200b\u200c\u200d\u2060\ufeff', false],
    ['\u180e\u061c\u034f', false],
    ['\u{e0041}', false],
  ])('says %j has a visible character: %s', (value, visible) => {
    expect(hasVisibleCharacter(value)).toBe(visible);
  });
});

describe('parseIsoDate', () => {
  it('keeps years below 100 literal', () => {
    expect(new Date(parseIsoDate('0099-01-01') ?? NaN).toISOString()).toBe('0099-01-01T00:00:00.000Z');
  });

  it('returns null for offsets out of range', () => {
    expect(parseIsoDate('2024-01-01T00:00:00+24:00')).toBeNull();
  });
});
