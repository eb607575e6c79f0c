import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_SCHEMA } from '../../../../functions/order-processor/contract/schema/built-in.ts';
import { compileSchema } from '../../../../functions/order-processor/contract/schema/compile.ts';
import { loadSchemaFile } from '../../../../functions/order-processor/contract/schema/load.ts';
import { validateFile } from '../../../../functions/order-processor/contract/summary.ts';
import { SAMPLE_DIR, SAMPLE_OUTCOMES } from '../../../support/sample-data.ts';

const NOW = new Date('2026-01-15T12:00:00.000Z');

describe('validateFile', () => {
  it('reads a stream twice under a schema with order lines: again through reopen, or from memory', async () => {
    // Prepare: the order-lines sample, whose bad line rejects its order's other line too
    const file = join(SAMPLE_DIR, 'order-lines', 'orders.csv');
    const schema = loadSchemaFile(join(SAMPLE_DIR, 'order-lines', 'order-schema.json'));
    const bytes = readFileSync(file);
    const chunks = async function* () {
      for (let i = 0; i < bytes.length; i += 64) yield bytes.subarray(i, i + 64);
    };
    let reopened = 0;

    // Act
    const fromPath = await validateFile(file, { now: NOW, file: 'orders.csv', schema });
    const reopenedStream = await validateFile(chunks(), { now: NOW, file: 'orders.csv', schema, reopen: () => (reopened++, chunks()) });
    const keptStream = await validateFile(chunks(), { now: NOW, file: 'orders.csv', schema });

    // Assess
    expect(fromPath).toMatchObject({ status: 'PARTIAL', rows: 8, valid: 5, rejected: 3 });
    expect(reopenedStream).toEqual(fromPath);
    expect(keptStream).toEqual(fromPath);
    expect(reopened).toBe(1);
  });

  it('has a documented outcome for every file in sample-data/', () => {
    const files = readdirSync(SAMPLE_DIR).filter((name) => /\.csv(\.gz)?$/.test(name));
    expect(files.sort()).toEqual(Object.keys(SAMPLE_OUTCOMES).sort());
  });

  it.each(Object.entries(SAMPLE_OUTCOMES))('reports %s as documented, conserving rows', async (name, expected) => {
    // Act
    const report = await validateFile(join(SAMPLE_DIR, name), { now: NOW, file: name });

    // Assess
    expect(report).toMatchObject({
      file: name,
      status: expected.status,
      rows: expected.rows,
      valid: expected.valid,
      rejected: expected.rejected,
      blank: expected.blank,
      reason: expected.reason,
    });
    expect(report.errors.map((e) => e.line)).toEqual(expected.errorLines);
    expect(report.rows).toBe(report.valid + report.rejected);
    expect(report.errors).toHaveLength(report.rejected);
  });

  it('keeps order_ids unique across the sample files, except the intentional duplicates', () => {
    // Prepare
    const idsByFile = new Map<string, string[]>();
    for (const name of Object.keys(SAMPLE_OUTCOMES)) {
      const raw = readFileSync(join(SAMPLE_DIR, name));
      const text = (name.endsWith('.gz') ? gunzipSync(raw) : raw).toString('latin1');
      idsByFile.set(name, [...new Set(text.match(/^ORD[- ]\d{4}/gm) ?? [])]);
    }

    // Act
    const owners = new Map<string, string>();
    const clashes: string[] = [];
    for (const [name, ids] of idsByFile) {
      for (const id of ids) {
        const owner = owners.get(id);
        if (owner) clashes.push(`${id} in ${owner} and ${name}`);
        owners.set(id, name);
      }
    }

    // Assess
    expect(clashes).toEqual([]);
  });

  it('never ships two sample files with identical bytes (the pipeline would call one a DUPLICATE)', () => {
    const digests = Object.keys(SAMPLE_OUTCOMES).map((name) =>
      createHash('sha256').update(readFileSync(join(SAMPLE_DIR, name))).digest('hex'),
    );
    expect(new Set(digests).size).toBe(digests.length);
  });

  it('names the reasons of the mixed sample exactly', async () => {
    // Act
    const report = await validateFile(join(SAMPLE_DIR, 'orders-mixed.csv'), { now: NOW });

    // Assess
    expect(report.errors).toEqual([
      {
        line: 3,
        order_id: 'ORD-3002',
        column: 'customer_email',
        reason: 'customer_email "liam@example" is not a plausible e-mail address; expected an address like name@example.com',
      },
      {
        line: 4,
        order_id: 'ORD-3003',
        column: 'quantity',
        reason: 'quantity "1.5" is not a whole number; expected a whole number from 1 to 1,000,000',
      },
      {
        line: 8,
        order_id: 'ORD-3001',
        column: 'order_id',
        reason: 'duplicate order_id "ORD-3001": first seen on line 2; expected each order_id once per file',
      },
      {
        line: 10,
        order_id: 'ORD-3007',
        column: 'order_date',
        reason:
          'order_date "2099-01-01" is in the future; expected no later than 2026-01-16T12:00:00.000Z (1 day after processing)',
      },
      {
        line: 12,
        order_id: 'ORD-3009',
        column: null,
        reason:
          'expected 9 fields (one per header column), found 10; a value that contains a comma must be enclosed in double quotes',
      },
      {
        line: 13,
        order_id: 'ORD-3010',
        column: null,
        reason:
          'malformed quoting: field 3 has "x" after its closing quote; expected a comma or the end of the line after a closing quote (write a literal quote inside a quoted value as "")',
      },
    ]);
  });

  it('reports an unknown column of the aliases sample', async () => {
    const report = await validateFile(join(SAMPLE_DIR, 'orders-aliases.csv'), { now: NOW });
    expect(report.unknownColumns).toEqual(['Sales Channel']);
  });

  it('names the unknown columns a keep schema keeps, with their attribute names; a pipeline-named one is ignored', async () => {
    // Prepare
    const keep = compileSchema({ ...BUILT_IN_SCHEMA.spec, unknownColumns: 'keep' });
    const csv = 'order_id,customer_name,product_name,quantity,unit_price,Sales Channel,备注,Source Line\nA-1,Ann,Pen,1,1,web,x,9\n';
    const source = async function* () {
      yield Buffer.from(csv);
    };
    // Act
    const kept = await validateFile(source(), { now: NOW, schema: keep });
    const ignored = await validateFile(source(), { now: NOW });
    // Assess
    expect(kept).toMatchObject({ status: 'VALID', unknownColumns: ['Sales Channel', '备注', 'Source Line'] });
    expect(kept.keptColumns).toEqual([{ column: 'Sales Channel', attribute: 'sales_channel' }, { column: '备注', attribute: 'column_7' }]);
    expect(ignored.keptColumns).toBeUndefined();
  });

  it('reports a missing file as REJECTED instead of throwing', async () => {
    const report = await validateFile(join(SAMPLE_DIR, 'no-such-file.csv'));
    expect(report).toMatchObject({ status: 'REJECTED', reason: 'cannot read the file: no such file', rows: 0 });
  });

  it('rejects a file that is not named .csv or .csv.gz, like the processor does, without reading it', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'validate-name-'));
    const path = join(dir, 'orders.txt');
    writeFileSync(path, readFileSync(join(SAMPLE_DIR, 'orders-valid.csv')));
    // Act
    const report = await validateFile(path);
    // Assess
    expect(report).toMatchObject({ status: 'REJECTED', rows: 0, valid: 0, rejected: 0, blank: 0, errors: [] });
    expect(report.reason).toMatch(/^the file name "orders\.txt" does not end in \.csv or \.csv\.gz;/);
  });

  it('counts a file rejected mid-way as zero rows, so rows = valid + rejected still holds', async () => {
    // Prepare: valid rows first, then a Latin-1 byte far into the file (a later chunk)
    const good = readFileSync(join(SAMPLE_DIR, 'orders-valid.csv'), 'utf8').trimEnd().split('\n');
    const lines = [good[0], ...Array.from({ length: 3000 }, (_, i) => (good[1] ?? '').replace(/^[^,]+/, `MID-${i}`))];
    const bytes = Buffer.concat([Buffer.from(`${lines.join('\n')}\n`), Buffer.from('MID-X,Jos\xe9\n', 'latin1')]);
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < bytes.length; i += 4096) yield bytes.subarray(i, i + 4096);
    }
    // Act
    const report = await validateFile(chunks(), { now: NOW });
    // Assess
    expect(report).toMatchObject({ status: 'REJECTED', rows: 0, valid: 0, rejected: 0, blank: 0 });
    expect(report.reason).toMatch(/^line 3002 contains bytes that are not valid UTF-8/);
  });

  it('streams errors through onError and keeps none when maxErrors is 0', async () => {
    // Prepare
    const streamed: number[] = [];

    // Act
    const report = await validateFile(join(SAMPLE_DIR, 'orders-mixed.csv'), { now: NOW, maxErrors: 0, onError: (e) => streamed.push(e.line) });

    // Assess
    expect(report).toMatchObject({ status: 'PARTIAL', rejected: 6, errors: [] });
    expect(streamed).toEqual([3, 4, 8, 10, 12, 13]);
  });

  it('applies the file caps it is given', async () => {
    const report = await validateFile(join(SAMPLE_DIR, 'orders-mixed.csv'), { now: NOW, limits: { maxFileMb: 1, maxFileLines: 3 } });
    expect(report).toMatchObject({
      status: 'REJECTED',
      rows: 0,
      reason: 'the file has more than 3 lines; expected at most 3 lines (the MAX_FILE_LINES setting)',
    });
  });

  it('reports a directory as REJECTED instead of throwing', async () => {
    const report = await validateFile(SAMPLE_DIR);
    expect(report).toMatchObject({ status: 'REJECTED', reason: 'cannot read the file: it is a directory, not a file' });
  });
});
