/**
 * Where every file goes (docs/architecture.md, "Storage layout"), as pure functions: the
 * destination keys of a handled file, their inverse (which upload a routed key came from), and
 * the encodings S3 needs. The processor routes with these; `order-pipeline replay` inverts them.
 */
import { PREFIX } from './settings.ts';

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

/** Splits `orders.csv.gz` into `orders` + `.csv.gz`; a name without extension has ext ''. */
export function splitExtension(name: string): { stem: string; ext: string } {
  const slash = name.lastIndexOf('/');
  const dir = name.slice(0, slash + 1);
  const base = name.slice(slash + 1);
  const match = /^(.+?)((?:\.csv)?\.gz|\.[^.]+)$/i.exec(base);
  if (!match) return { stem: name, ext: '' };
  return { stem: dir + (match[1] ?? base), ext: match[2] ?? '' };
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
 */
export function destinationKeys(sourceKey: string, ingestionId: string, day: Date): DestinationKeys {
  const { stem, ext } = splitExtension(relativeName(sourceKey));
  const date = dayPath(day);
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
const ROUTED = new RegExp(String.raw`^(archive|failed-data)/(\d{4}/\d{2}/\d{2})/(.*)\.(${INGESTION_ID})((?:\.[^./]+)*)$`);

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
 */
export function routedOriginal(key: string): RoutedOriginal | null {
  const match = ROUTED.exec(key);
  if (!match) return null;
  const [, , day = '', stem = '', ingestionId = '', ext = ''] = match;
  if (ext.toLowerCase() === '.errors.csv' || stem === '') return null;
  return { rawKey: `${PREFIX.raw}${stem}${ext}`, ingestionId, day };
}
