import { describe, expect, it } from 'vitest';
import {
  mapHeader,
  normalizeHeaderName,
  quote,
} from '../../../../functions/order-processor/contract/headers.ts';
import { BUILT_IN_SCHEMA } from '../../../../functions/order-processor/contract/schema/built-in.ts';
import { FileRejectedError } from '../../../../functions/order-processor/contract/types.ts';

const canonicalColumn = (raw: string): string | null => BUILT_IN_SCHEMA.columnFor(raw);

describe('normalizeHeaderName', () => {
  it.each([
    ['order_id', 'order_id'],
    ['  Order ID  ', 'order_id'],
    ['orderId', 'order_id'],
    ['OrderID', 'order_id'],
    ['ORDER-ID', 'order_id'],
    ['\uFEFForder_id', 'order_id'],
    ['unitPrice', 'unit_price'],
    ['Unit  Price', 'unit_price'],
    ['productSKU', 'product_sku'],
    ['E-mail', 'e_mail'],
    ['customer.name', 'customer_name'],
  ])('folds %j to %j', (raw, expected) => {
    // Act
    const normalized = normalizeHeaderName(raw);

    // Assess
    expect(normalized).toBe(expected);
  });
});

describe('canonicalColumn', () => {
  it.each([
    ['ORDERNUMBER', 'order_id'],
    ['EMAILADDRESS', 'customer_email'],
    ['E-Mail Address', 'customer_email'],
    ['CURRENCYCODE', 'currency'],
    ['QUANTITYORDERED', 'quantity'],
    ['PRICEEACH', 'unit_price'],
    ['Product ID', 'product_sku'],
    ['ItemID', 'product_sku'],
    ['Order Number', 'order_id'],
    ['order-id', 'order_id'],
    ['Customer', 'customer_name'],
    ['Item', 'product_name'],
    ['Unit Price', 'unit_price'],
    ['Order Date', 'order_date'],
    ['date', 'order_date'],
  ])('maps the export header %j to %s', (raw, column) => {
    // Act / Assess
    expect(canonicalColumn(raw)).toBe(column);
  });

  it.each([
    ['S\u212aU', 'the Kelvin sign, which lower-cases to k'],
    ['ORDER_\u0130D', 'a dotted capital I, which lower-cases to i and a combining dot'],
    ['ｏｒｄｅｒ_ｉｄ', 'full-width letters'],
  ])('matches only ASCII letters: %j (%s) names no column', (raw, why) => {
    expect(canonicalColumn(raw), why).toBeNull();
  });

  it('folds other characters like punctuation: a trailing zero-width space still names the column', () => {
    expect(canonicalColumn('qty\u200b')).toBe('quantity');
  });

  it('keeps ambiguous names unmapped, with or without underscores', () => {
    for (const raw of ['name', 'amount', 'total', 'TOTALAMOUNT']) expect(canonicalColumn(raw), raw).toBeNull();
  });

  it('maps every canonical name and every documented alias to its column', () => {
    for (const { name: column, aliases } of BUILT_IN_SCHEMA.spec.columns) {
      // Act / Assess
      expect(canonicalColumn(column)).toBe(column);
      for (const alias of aliases) expect(canonicalColumn(alias), alias).toBe(column);
    }
  });

  it.each([
    ['qty', 'quantity'],
    ['Qty', 'quantity'],
    ['price', 'unit_price'],
    ['Unit Price', 'unit_price'],
    ['orderId', 'order_id'],
    ['Order ID', 'order_id'],
    ['Order Number', 'order_id'],
    ['email', 'customer_email'],
    ['Email Address', 'customer_email'],
    ['sku', 'product_sku'],
    ['SKU', 'product_sku'],
    ['product', 'product_name'],
    ['Product Name', 'product_name'],
    ['customer', 'customer_name'],
    ['customerName', 'customer_name'],
    ['Customer ID', 'customer_id'],
    ['Currency Code', 'currency'],
    ['orderDate', 'order_date'],
    ['date', 'order_date'],
  ])('maps the alias %j to %j', (raw, expected) => {
    expect(canonicalColumn(raw)).toBe(expected);
  });

  it.each(['notes', 'total_amount', 'name', 'amount', ''])('does not guess a column for %j', (raw) => {
    expect(canonicalColumn(raw)).toBeNull();
  });
});

describe('mapHeader', () => {
  it('maps the minimal seed layout and lists no unknown columns', () => {
    // Act
    const header = mapHeader(['order_id', 'customer_name', 'product_name', 'quantity', 'unit_price'], BUILT_IN_SCHEMA);

    // Assess
    expect(header.canonical).toEqual(['order_id', 'customer_name', 'product_name', 'quantity', 'unit_price']);
    expect(header.unknownColumns).toEqual([]);
  });

  it('keeps raw names, strips a BOM and lists unknown columns (not empty cells)', () => {
    // Act
    const header = mapHeader(['\uFEFFOrder ID', 'Customer', 'SKU', 'Qty', 'Price', 'Sales Channel', ''], BUILT_IN_SCHEMA);

    // Assess
    expect(header.raw[0]).toBe('Order ID');
    expect(header.canonical).toEqual(['order_id', 'customer_name', 'product_sku', 'quantity', 'unit_price', null, null]);
    expect(header.unknownColumns).toEqual(['Sales Channel']);
  });

  it('names every missing required column and what was found', () => {
    // Act
    const act = () => mapHeader(['id', 'notes'], BUILT_IN_SCHEMA);

    // Assess
    expect(act).toThrow(FileRejectedError);
    expect(act).toThrow(
      'missing required columns: customer_id or customer_name, product_sku or product_name, quantity, unit_price; ' +
        'found columns: "id", "notes"',
    );
  });

  it('names a single missing column in the singular', () => {
    expect(() => mapHeader(['order_id', 'customer_name', 'product_name', 'qty'], BUILT_IN_SCHEMA)).toThrow(
      'missing required column: unit_price; found columns: "order_id", "customer_name", "product_name", "qty"',
    );
  });

  it('rejects two header cells that mean the same column', () => {
    // Act
    let error: unknown;
    try {
      mapHeader(['order_id', 'customer', 'product', 'qty', 'price', 'Quantity'], BUILT_IN_SCHEMA, 1);
    } catch (err) {
      error = err;
    }

    // Assess
    expect(error).toBeInstanceOf(FileRejectedError);
    expect((error as FileRejectedError).reason).toBe(
      'header columns "qty" (column 4) and "Quantity" (column 6) both mean quantity; expected each column at most once',
    );
    expect((error as FileRejectedError).line).toBe(1);
  });
});

describe('quote', () => {
  it('shows a value of up to 100 characters in full, JSON-quoted', () => {
    // Act / Assess
    expect(quote(' a "b" ')).toBe('" a \\"b\\" "');
    expect(quote('é'.repeat(100))).toBe(`"${'é'.repeat(100)}"`);
  });

  it('shows invisible and control characters escaped, so a reason never hides them', () => {
    expect(quote('a\u200bb')).toBe('"a\\u200bb"');
    expect(quote('x\u3000y z')).toBe('"x\\u3000y z"');
    expect(quote('\u0085\u009b\u202e')).toBe('"\\u0085\\u009b\\u202e"');
    expect(quote('\n\u007f')).toBe('"\\n\\u007f"');
  });

  it('clips a longer value and says how long it was, so reasons stay small whatever a cell holds', () => {
    // Act / Assess
    expect(quote('x'.repeat(1_000_000))).toBe(`"${'x'.repeat(50)}…" (1000000 characters)`);
    expect(quote('😀'.repeat(101))).toBe(`"${'😀'.repeat(50)}…" (101 characters)`);
  });
});

describe('mapHeader with a very wide header', () => {
  it('names at most 30 of the columns it found when a required one is missing', () => {
    // Prepare
    const cells = Array.from({ length: 5000 }, (_, i) => `col${i}`);
    // Act
    const reason = (() => {
      try {
        mapHeader(cells, BUILT_IN_SCHEMA);
        return '';
      } catch (err) {
        return (err as FileRejectedError).reason;
      }
    })();
    // Assess
    expect(reason).toMatch(/found columns: "col0", .*"col29" and 4970 more$/);
    expect(reason.length).toBeLessThan(1000);
  });
});
