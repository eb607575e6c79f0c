import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cutToBytes,
  dayPath,
  destinationKeys,
  encodeCopySource,
  MAX_KEY_BYTES,
  relativeName,
  routedOriginal,
  splitExtension,
  type DestinationKeys,
} from '../../../functions/order-processor/naming.ts';

const DAY = new Date('2026-03-07T23:59:59.000Z');
const ID = '20260307T235959Z-1a2b3c4d';

describe('relativeName', () => {
  it('strips raw-data/ and keeps sub-folders', () => {
    // Act / Assess
    expect(relativeName('raw-data/eu/2026/orders.csv')).toBe('eu/2026/orders.csv');
  });
});

describe('splitExtension', () => {
  it.each([
    ['orders.csv', 'orders', '.csv'],
    ['orders.CSV.GZ', 'orders', '.CSV.GZ'],
    ['a/b.c/orders.v2.csv', 'a/b.c/orders.v2', '.csv'],
    ['noext', 'noext', ''],
    ['dir.d/noext', 'dir.d/noext', ''],
    [`orders.${'x'.repeat(20)}`, `orders.${'x'.repeat(20)}`, ''],
    ['line\nbreak.csv', 'line\nbreak', '.csv'],
    ['carriage\rreturn.csv.gz', 'carriage\rreturn', '.csv.gz'],
    ['a/\r\n.csv', 'a/\r\n', '.csv'],
    ['dir\n.d/orders.csv', 'dir\n.d/orders', '.csv'],
  ])('%j → %j + %j', (name, stem, ext) => {
    // Act / Assess
    expect(splitExtension(name)).toEqual({ stem, ext });
  });
});

describe('dayPath', () => {
  it('uses the UTC date', () => {
    // Act / Assess
    expect(dayPath(DAY)).toBe('2026/03/07/');
  });
});

describe('destinationKeys', () => {
  it('keeps name and sub-folders, adds the day and the ingestion id', () => {
    // Act
    const keys = destinationKeys('raw-data/eu/orders.csv.gz', ID, DAY);
    // Assess
    expect(keys).toEqual({
      processed: `processed-data/2026/03/07/eu/orders.${ID}.csv`,
      archive: `archive/2026/03/07/eu/orders.${ID}.csv.gz`,
      failed: `failed-data/2026/03/07/eu/orders.${ID}.csv.gz`,
      errors: `failed-data/2026/03/07/eu/orders.${ID}.errors.csv`,
    });
  });

  it('gives two uploads of the same name different keys', () => {
    const a = destinationKeys('raw-data/orders.csv', ID, DAY);
    const b = destinationKeys('raw-data/orders.csv', '20260307T235959Z-ffffffff', DAY);
    expect(a.archive).not.toBe(b.archive);
    expect(a.processed).not.toBe(b.processed);
  });
});

/** A raw-data/ key of exactly `bytes` bytes of UTF-8: sub-folders, then `unit` repeated, then the extension. */
function keyOfBytes(bytes: number, unit = 'a', ext = '.csv'): string {
  const head = 'raw-data/exports/2026/';
  let middle = '';
  while (Buffer.byteLength(head + middle + unit + ext) <= bytes) middle += unit;
  const key = head + middle + 'z'.repeat(bytes - Buffer.byteLength(head + middle + ext)) + ext;
  expect(Buffer.byteLength(key)).toBe(bytes);
  return key;
}

/** The destination keys by the plain rule (stem.<ingestion id>.ext), whether they fit or not. */
function unshortened(key: string): DestinationKeys {
  const { stem, ext } = splitExtension(relativeName(key));
  const tagged = `${dayPath(DAY)}${stem}.${ID}`;
  return { processed: `processed-data/${tagged}.csv`, archive: `archive/${tagged}${ext}`, failed: `failed-data/${tagged}${ext}`, errors: `failed-data/${tagged}.errors.csv` };
}

const byteLengths = (keys: DestinationKeys) => Object.values(keys).map((k) => Buffer.byteLength(k));
/** Valid UTF-8 all the way: no character was cut in half (a lone surrogate would not survive the round trip). */
const wholeCharacters = (text: string) => Buffer.from(text, 'utf8').toString('utf8') === text;

describe('destinationKeys for long source keys', () => {
  it('leaves keys that fit as they are', () => {
    // Prepare: the longest source key whose destination keys all fit (the errors report's is 47 bytes longer)
    const key = keyOfBytes(MAX_KEY_BYTES - 47);
    // Act
    const keys = destinationKeys(key, ID, DAY);
    // Assess
    expect(Math.max(...byteLengths(keys))).toBe(MAX_KEY_BYTES);
    expect(keys.archive).toBe(`archive/2026/03/07/${key.slice('raw-data/'.length, -4)}.${ID}.csv`);
  });

  it.each([[MAX_KEY_BYTES - 46], [1000], [MAX_KEY_BYTES]])('shortens the stem of a %i-byte key so every destination fits in 1,024 bytes', (bytes) => {
    // Prepare
    const key = keyOfBytes(bytes);
    // Act
    const keys = destinationKeys(key, ID, DAY);
    // Assess
    expect(Math.max(...byteLengths(keys))).toBeLessThanOrEqual(MAX_KEY_BYTES);
    expect(keys.archive).toMatch(new RegExp(`^archive/2026/03/07/exports/2026/a+z*~[0-9a-f]{8}\\.${ID}\\.csv$`));
    expect(keys.errors).toMatch(/~[0-9a-f]{8}\.20260307T235959Z-1a2b3c4d\.errors\.csv$/);
  });

  it('is deterministic, and tells apart two long names that differ only after the cut', () => {
    // Prepare
    const a = `raw-data/${'a'.repeat(986)}1.csv`;
    const b = `raw-data/${'a'.repeat(986)}2.csv`;
    // Act / Assess
    expect(destinationKeys(a, ID, DAY)).toEqual(destinationKeys(a, ID, DAY));
    expect(destinationKeys(a, ID, DAY).archive).not.toBe(destinationKeys(b, ID, DAY).archive);
  });

  it.each([
    ['3-byte characters', '注'],
    ['4-byte characters', '😀'],
    ['combining accents', 'é'],
  ])('never cuts a character in half (%s at the cut)', (_what, unit) => {
    for (let bytes = 1000; bytes <= MAX_KEY_BYTES; bytes++) {
      // Prepare
      const key = keyOfBytes(bytes, unit, '.csv.gz');
      // Act
      const keys = destinationKeys(key, ID, DAY);
      // Assess
      expect(Math.max(...byteLengths(keys))).toBeLessThanOrEqual(MAX_KEY_BYTES);
      expect(Object.values(keys).every(wholeCharacters)).toBe(true);
      expect(keys.archive.endsWith(`.${ID}.csv.gz`)).toBe(true);
    }
  });
});

describe('cutToBytes', () => {
  it('keeps whole characters within the byte budget', () => {
    // Act / Assess
    expect(cutToBytes('ab注😀c', 5)).toBe('ab注');
    expect(cutToBytes('ab注😀c', 9)).toBe('ab注😀');
    expect(cutToBytes('😀', 3)).toBe('');
  });
});

describe('routedOriginal', () => {
  it('gives back the raw-data/ key of an archived or failed original', () => {
    // Prepare
    const keys = destinationKeys('raw-data/eu/orders.csv.gz', ID, DAY);
    // Act / Assess
    expect(routedOriginal(keys.archive)).toEqual({ rawKey: 'raw-data/eu/orders.csv.gz', ingestionId: ID, day: '2026/03/07' });
    expect(routedOriginal(keys.failed)?.rawKey).toBe('raw-data/eu/orders.csv.gz');
    expect(routedOriginal(keys.errors)).toBeNull();
    expect(routedOriginal(keys.processed)).toBeNull();
  });

  it('maps a shortened name to a raw key whose destinations are those same keys', () => {
    // Prepare
    const keys = destinationKeys(keyOfBytes(MAX_KEY_BYTES, '注'), ID, DAY);
    // Act
    const original = routedOriginal(keys.archive);
    // Assess
    expect(original?.rawKey).toMatch(/~[0-9a-f]{8}\.csv$/);
    expect(destinationKeys(original?.rawKey ?? '', ID, DAY)).toEqual(keys);
  });

  it('maps back a shortened name without an extension even when a dot falls just before the cut', () => {
    // Prepare: `.yyy…` (62 characters) is no extension; the cut leaves `….yy`, which must not read back as one
    const key = `raw-data/${'a'.repeat(952)}.${'y'.repeat(62)}`;
    const keys = destinationKeys(key, ID, DAY);
    // Act
    const original = routedOriginal(keys.failed);
    // Assess
    expect(Buffer.byteLength(key)).toBe(MAX_KEY_BYTES);
    expect(original?.rawKey).toMatch(/a_yy~[0-9a-f]{8}$/);
    expect(destinationKeys(original?.rawKey ?? '', ID, DAY)).toEqual(keys);
  });

  it.each([
    ['a CR', 'raw-data/in\rvoice.csv'],
    ['an LF', 'raw-data/in\nvoice.csv'],
    ['a CRLF before the extension', 'raw-data/sub/orders\r\n.csv.gz'],
    ['an LF in a folder', 'raw-data/eu\n2026/orders.csv'],
    ['bidi and zero-width characters', 'raw-data/\u202eorders\u200b.csv'],
    ['an escape sequence', 'raw-data/\u001b[2J\u001b]0;owned\u0007.csv'],
    ['%, + and spaces', 'raw-data/100% a+b c.csv'],
    ['unicode', 'raw-data/été/注文 ü😀.csv'],
    ['a trailing slash (a non-empty object named like a folder)', 'raw-data/folder/'],
    ['a long name', `raw-data/${'\n注'.repeat(330)}.csv`],
  ])('keeps the extension of a name with %s and maps every routed copy back', (_what, key) => {
    // Act
    const keys = destinationKeys(key, ID, DAY);
    // Assess
    const { ext } = splitExtension(relativeName(key));
    expect(keys.archive.endsWith(`.${ID}${ext}`)).toBe(true);
    expect(keys.failed.endsWith(`.${ID}${ext}`)).toBe(true);
    expect(keys.processed.endsWith(`.${ID}.csv`)).toBe(true);
    if (key.endsWith('.csv') || key.endsWith('.csv.gz')) expect(ext).toMatch(/^\.csv(\.gz)?$/);
    for (const copy of [keys.archive, keys.failed]) {
      const original = routedOriginal(copy);
      expect(original?.ingestionId).toBe(ID);
      expect(destinationKeys(original?.rawKey ?? '', ID, DAY)).toEqual(keys);
      if (Math.max(...byteLengths(unshortened(key))) <= MAX_KEY_BYTES) expect(original?.rawKey).toBe(key);
    }
  });

  it('is the inverse of destinationKeys for any key S3 accepts', () => {
    // Prepare: keys of up to 1,024 bytes, sub-folders, dots, multi-byte characters, line breaks,
    // controls and bidi characters, odd extensions, a trailing slash
    const unit = fc.constantFrom('a', 'Z', '0', '.', '-', ' ', '+', '%', 'é', '注', '😀', '~', '\r', '\n', '\u001b', '\u202e', '\u200b');
    const segment = fc.string({ unit, minLength: 1, maxLength: 300 });
    const keys = fc
      .tuple(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.constantFrom('.csv', '.csv.gz', '.CSV', '.txt', '', '/', `.${'x'.repeat(30)}`))
      .map(([parts, ext]) => cutToBytes(`raw-data/${parts.join('/')}`, MAX_KEY_BYTES - Buffer.byteLength(ext)) + ext)
      .filter((key) => !key.includes('//'));
    // Act / Assess
    fc.assert(
      fc.property(keys, (key) => {
        // Act / Assess
        const routed = destinationKeys(key, ID, DAY);
        expect(Math.max(...byteLengths(routed))).toBeLessThanOrEqual(MAX_KEY_BYTES);
        for (const copy of [routed.archive, routed.failed]) {
          const original = routedOriginal(copy);
          expect(original).not.toBeNull();
          expect(destinationKeys(original?.rawKey ?? '', ID, DAY)).toEqual(routed);
          // A key whose destinations fit unshortened is given back exactly.
          if (Math.max(...byteLengths(unshortened(key))) <= MAX_KEY_BYTES) expect(original?.rawKey).toBe(key);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('encodeCopySource', () => {
  it.each([
    ['raw-data/my orders.csv', null, 'bkt/raw-data/my%20orders.csv'],
    ['raw-data/a+b.csv', null, 'bkt/raw-data/a%2Bb.csv'],
    ['raw-data/100%.csv', null, 'bkt/raw-data/100%25.csv'],
    ['raw-data/été.csv', 'v 1', 'bkt/raw-data/%C3%A9t%C3%A9.csv?versionId=v%201'],
  ])('encodes %s', (key, version, expected) => {
    // Act / Assess
    expect(encodeCopySource('bkt', key, version)).toBe(expected);
  });
});
