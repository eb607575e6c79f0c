/** `order-pipeline replay <key>`: put an archived or failed original back into raw-data/. */
import { parseArgs } from 'node:util';
import { CopyObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { encodeCopySource, PREFIX, routedOriginal } from '../../functions/order-processor/index.ts';
import { connectTarget, TARGET_HELP, TARGET_OPTIONS } from '../target.ts';
import { EXIT, UsageError } from '../exit.ts';
import { escapeControls, quoted } from '../render/inert.ts';
import { out } from '../render/terminal.ts';

export const summary = 'copy an archived or failed original back into raw-data/ to process it again';

const HELP = `usage: order-pipeline replay KEY [--as NAME] [target options]

KEY is an object under archive/ or failed-data/ (as shown by \`status\` or an alert e-mail), e.g.
failed-data/2026/11/22/orders-invalid-header.csv. It is copied to raw-data/ under its original
name — the date folders and the ingestion id the processor added removed — unless an object already exists
there, in which case pass --as NAME. The copy is a new upload: the processor handles it again.
  --as NAME   the name to use under raw-data/
${TARGET_HELP}`;

/**
 * raw-data/<original name> for an archived/failed original: the inverse of the processor's own
 * destination naming (routedOriginal), so the two can never drift apart.
 */
export function replayKeyFor(key: string, as?: string): string {
  if (as) return as.startsWith(PREFIX.raw) ? as : PREFIX.raw + as.replace(/^\/+/, '');
  if (!key.startsWith(PREFIX.archive) && !key.startsWith(PREFIX.failed)) {
    throw new UsageError(`${quoted(key)} is neither under ${PREFIX.archive} nor under ${PREFIX.failed}`);
  }
  if (key.endsWith('.errors.csv')) throw new UsageError(`${quoted(key)} is an error report, not an original file`);
  const original = routedOriginal(key);
  if (!original) {
    throw new UsageError(`${quoted(key)} is not named like a routed original (<day>/<name>.<ingestion id><ext>); pass --as NAME`);
  }
  return original.rawKey;
}

async function exists(s3: import('@aws-sdk/client-s3').S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (e) {
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || (e as { name?: string }).name === 'NotFound') return false;
    throw e;
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...TARGET_OPTIONS, as: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    out(HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError(`give exactly one KEY\n${HELP}`);
  const source = positionals[0]!.replace(/^s3:\/\/[^/]+\//, '');
  const destination = replayKeyFor(source, values.as);
  const { target, clients } = await connectTarget(values);
  const bucket = target.outputs.bucket_name;
  // Keys are outside text: every line naming one goes through the one escaper.
  const say = (line: string) => out(escapeControls(line));
  if (!(await exists(clients.s3, bucket, source))) {
    say(`s3://${bucket}/${source} does not exist`);
    return EXIT.failure;
  }
  if (await exists(clients.s3, bucket, destination)) {
    say(`s3://${bucket}/${destination} already exists (not overwritten); choose another name with --as NAME`);
    return EXIT.failure;
  }
  const copied = await clients.s3.send(
    new CopyObjectCommand({
      Bucket: bucket,
      Key: destination,
      CopySource: encodeCopySource(bucket, source, null),
      MetadataDirective: 'COPY',
    }),
  );
  say(`replayed s3://${bucket}/${source} → s3://${bucket}/${destination}${copied.VersionId ? ` (version ${copied.VersionId})` : ''}`);
  out('the processor handles it as a new file; follow it with `order-pipeline status`');
  return EXIT.ok;
}
