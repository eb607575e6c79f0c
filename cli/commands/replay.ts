/** `order-pipeline replay <key>`: put an archived or failed original back into raw-data/. */
import { parseArgs } from 'node:util';
import { NotReplayableError, replayKeyFor as deploymentReplayKeyFor, replayObject } from '../../deployment/replay.ts';
import { connectTarget, TARGET_HELP, TARGET_OPTIONS } from '../target.ts';
import { EXIT, UsageError } from '../exit.ts';
import { escapeControls } from '../render/inert.ts';
import { out } from '../render/terminal.ts';

export const summary = 'copy an archived or failed original back into raw-data/ to process it again';

const HELP = `usage: order-pipeline replay KEY [--as NAME] [target options]

KEY is an object under archive/ or failed-data/ (as shown by \`status\` or an alert e-mail), e.g.
failed-data/2026/11/22/orders-invalid-header.csv. It is copied to raw-data/ under its original
name — the date folders and the ingestion id the processor added removed — unless an object already exists
there, in which case pass --as NAME. The copy is a new upload: the processor handles it again.
  --as NAME   the name to use under raw-data/
${TARGET_HELP}`;

/** raw-data/<original name> for an archived/failed original (deployment/replay.ts); a usage error when it cannot be. */
export function replayKeyFor(key: string, as?: string): string {
  try {
    return deploymentReplayKeyFor(key, as);
  } catch (e) {
    if (e instanceof NotReplayableError) throw new UsageError(e.message);
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
  const result = await replayObject(clients.s3, bucket, source, destination);
  if (result.outcome === 'no-source') {
    say(`s3://${bucket}/${source} does not exist`);
    return EXIT.failure;
  }
  if (result.outcome !== 'replayed') {
    say(`s3://${bucket}/${destination} already exists (not overwritten); choose another name with --as NAME`);
    return EXIT.failure;
  }
  say(`replayed s3://${bucket}/${source} → s3://${bucket}/${destination}${result.versionId ? ` (version ${result.versionId})` : ''}`);
  out('the processor handles it as a new file; follow it with `order-pipeline status`');
  return EXIT.ok;
}
