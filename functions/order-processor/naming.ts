/**
 * Where every file goes (docs/architecture.md, "Storage layout"), as pure functions: the
 * destination keys of a handled file, their inverse (which upload a routed key came from), and
 * the encodings S3 needs. The processor routes with these; `order-pipeline replay` inverts them.
 */
import { createHash } from 'node:crypto';
import { PREFIX } from './resource-names.ts';

/** S3's limit on an object key, in bytes of UTF-8. */
export const MAX_KEY_BYTES = 1024;

/** CopyObject's single-request limit; a larger original would need a multipart copy (UploadPartCopy). */
export const MAX_SINGLE_COPY_BYTES = 5 * 1024 ** 3;

/** An extension longer than this is not one (`orders.<300 characters>`): it stays part of the stem. */
const MAX_EXTENSION_BYTES = 16;

/** What a shortened stem ends with: `~` and 8 hex digits of the full relative name's sha256. */
const SHORTENED_MARK_BYTES = 9;

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

export interface DestinationKeys {
  /** Cleaned CSV (valid rows). */
  processed: string;
  /** Original bytes of a handled file. */
  archive: string;
  /** Original bytes of a rejected / duplicate file. */
  failed: string;
  /** `…errors.csv` report. */
  errors: string;
}

/** `raw-data/a/b/orders.csv` → `a/b/orders.csv` (sub-folders are kept). */
export function relativeName(key: string): string {
  return key.startsWith(PREFIX.raw) ? key.slice(PREFIX.raw.length) : key;
}

/**
 * Splits `orders.csv.gz` into `orders` + `.csv.gz`; a name without extension has ext ''.
 * The stem may hold any character S3 allows, line breaks included (the `s` flag): a name with a
 * CR or LF keeps its `.csv` like any other.
 */
export function splitExtension(name: string): { stem: string; ext: string } {
  const slash = name.lastIndexOf('/');
  const dir = name.slice(0, slash + 1);
  const base = name.slice(slash + 1);
  const match = /^(.+?)((?:\.csv)?\.gz|\.[^.]+)$/is.exec(base);
  const ext = match?.[2] ?? '';
  if (!match || utf8Bytes(ext) > MAX_EXTENSION_BYTES) return { stem: name, ext: '' };
  return { stem: dir + (match[1] ?? base), ext };
}

/** The longest prefix of `text` that fits in `maxBytes` of UTF-8, never cutting a character. */
export function cutToBytes(text: string, maxBytes: number): string {
  let used = 0;
  let end = 0;
  for (const char of text) {
    const size = utf8Bytes(char);
    if (used + size > maxBytes) break;
    used += size;
    end += char.length;
  }
  return text.slice(0, end);
}

/** `YYYY/MM/DD/` in UTC. */
export function dayPath(day: Date): string {
  const iso = day.toISOString();
  return `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/`;
}

/**
 * Destination keys keep the original name and sub-folders; the ingestion id before the extension
 * makes them unique per object version, so a later upload of the same name never overwrites an
 * earlier file, while a retry of the same version rewrites its own (identical) outputs.
 *
 * They always fit S3's 1,024-byte limit: when the longest would not, the stem is cut at a
 * character boundary and ends in `~` + a short hash of the full relative name. A long source key
 * (~970 bytes and more) is therefore processed like any other instead of failing after its rows
 * were written; the ledger item and the alert keep the full key.
 */
export function destinationKeys(sourceKey: string, ingestionId: string, day: Date): DestinationKeys {
  const relative = relativeName(sourceKey);
  const { stem, ext } = splitExtension(relative);
  const keys = keysFor(stem, ext, ingestionId, dayPath(day));
  const overflow = Math.max(...Object.values(keys).map(utf8Bytes)) - MAX_KEY_BYTES;
  if (overflow <= 0) return keys;
  const hash = createHash('sha256').update(relative, 'utf8').digest('hex').slice(0, SHORTENED_MARK_BYTES - 1);
  let kept = cutToBytes(stem, Math.max(0, utf8Bytes(stem) - overflow - SHORTENED_MARK_BYTES));
  // Without an extension, a dot left in the cut file name would read back as one (routedOriginal
  // must map the shortened name to these same keys): it becomes `_`, one byte as well.
  if (ext === '') kept = kept.replace(/\.(?=[^/]*$)/g, '_');
  return keysFor(`${kept}~${hash}`, ext, ingestionId, dayPath(day));
}

function keysFor(stem: string, ext: string, ingestionId: string, date: string): DestinationKeys {
  const tagged = `${stem}.${ingestionId}`;
  return {
    processed: `${PREFIX.processed}${date}${tagged}.csv`,
    archive: `${PREFIX.archive}${date}${tagged}${ext}`,
    failed: `${PREFIX.failed}${date}${tagged}${ext}`,
    errors: `${PREFIX.failed}${date}${tagged}.errors.csv`,
  };
}

/**
 * CopySource is `bucket/key[?versionId=…]` with the key URL-encoded; `/` stays literal.
 * encodeURIComponent handles spaces, `+`, `%` and unicode.
 */
export function encodeCopySource(bucket: string, key: string, versionId: string | null): string {
  const path = key.split('/').map(encodeURIComponent).join('/');
  return `${bucket}/${path}${versionId ? `?versionId=${encodeURIComponent(versionId)}` : ''}`;
}

export const s3Uri = (bucket: string, key: string): string => `s3://${bucket}/${key}`;

/** An ingestion id as newIngestionId (ledger-item.ts) makes it: `20261122T040512Z-1a2b3c4d`. */
const INGESTION_ID = String.raw`\d{8}T\d{6}Z-[0-9a-f]+`;
// `s`: a routed name may hold line breaks too, and must map back like any other.
const ROUTED = new RegExp(String.raw`^(archive|failed-data)/(\d{4}/\d{2}/\d{2})/(.*)\.(${INGESTION_ID})((?:\.[^./]+)*)$`, 's');

/** What a key under archive/ or failed-data/ says about the upload it was routed from. */
export interface RoutedOriginal {
  /** The key the file had in the landing zone: `raw-data/<sub-folders>/<name>`. */
  rawKey: string;
  ingestionId: string;
  /** `YYYY/MM/DD` of the ingestion. */
  day: string;
}

/**
 * The inverse of destinationKeys for an original (archive/ or failed-data/): the raw-data/ key
 * it came from. Null for anything else: an errors report, a cleaned CSV, a key we did not name.
 * For a name destinationKeys shortened, it is the shortened name (`…~<hash>.csv`), which maps back
 * to the same destination keys; the full original key is in the ledger item.
 */
export function routedOriginal(key: string): RoutedOriginal | null {
  const match = ROUTED.exec(key);
  if (!match) return null;
  const [, , day = '', stem = '', ingestionId = '', ext = ''] = match;
  if (ext.toLowerCase() === '.errors.csv') return null;
  return { rawKey: `${PREFIX.raw}${stem}${ext}`, ingestionId, day };
}
