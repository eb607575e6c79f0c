/**
 * docs/performance.md, the results: the targets, then each measurement's table, with the few
 * sentences that read them. Every number comes from the run's results (BenchResults).
 */
import type { BareClient } from '../bare-loop.ts';
import { TARGETS as HOSTILE_TARGETS } from '../hostile.ts';
import type { BenchResults } from '../results.ts';
import { defaultMemoryRuns, deployedMemoryRun, idSetAt, parseMicrosPerRow, TARGETS } from './targets.ts';
import { markdownTable } from './markdown.ts';
import {
  BARE_CLIENTS,
  bytes,
  coldStartTable,
  contractTable,
  cpuBudgetTable,
  fixed,
  hostileTable,
  instantTable,
  int,
  memoryTable,
  motoTable,
  peerCorrectnessTable,
  pct,
  profileTables,
  targetsTable,
  targetValue,
} from './tables.ts';

export function targetsSection(r: BenchResults): string {
  const missed = r.targets.filter((t) => !t.ok);
  const lines = missed.map((t) => `- **${t.what}**: ${targetValue(t)} against ${t.kind === 'min' ? '≥' : '≤'} ${targetValue({ ...t, value: t.target })} (${fixed(t.ratio, 2)} of the target). ${BOUNDS[t.id]?.(r) ?? ''}`);
  return `## Targets

${markdownTable(targetsTable(r.targets))}

${missed.length === 0 ? 'Every target is met in this run.' : `Missed in this run, and what bounds them:\n\n${lines.join('\n')}`}
`;
}

/** What bounds each target when it is missed (the evidence is in the sections below). */
const BOUNDS: Record<string, (r: BenchResults) => string> = {
  'instant-ratio': (r) => {
    const { processor, bare } = r.instantTable;
    const parse = parseMicrosPerRow(r);
    const allowance = bare.microsPerItem * (1 / TARGETS.instantRatio - 1);
    const defaults = r.instantTable.variants.find((v) => v.client === 'sdk-defaults');
    return (
      `The bare loop does nothing but the SDK's work for each item; the processor does the same work and its own on the same core: ` +
      `it reads the object twice through the CSV contract (pass 1 decides, pass 2 writes: ${fixed(parse)} µs per row and pass on a local file), ` +
      'writes the cleaned CSV, streams and hashes the bytes, and claims and concludes the file in the ledger. ' +
      `By CPU the ratio is ${fixed(bare.microsPerItem / processor.microsPerRow, 2)} (${fixed(bare.microsPerItem)} µs per item ÷ ${fixed(processor.microsPerRow)} µs per row). ` +
      `${TARGETS.instantRatio}× would leave the processor ${fixed(allowance)} µs per row of its own work (a quarter of the bare loop's ${fixed(bare.microsPerItem)} µs); ` +
      `it spends ${fixed(processor.microsPerRow - bare.microsPerItem)} µs, of which the two contract passes alone take ${fixed(2 * parse)} µs. ` +
      (defaults ? `The cheaper the write path became (${fixed(defaults.microsPerItem)} µs per item as the SDK builds its DocumentClient, ${fixed(bare.microsPerItem)} µs now), the smaller that allowance.` : '')
    );
  },
  'instant-cpu': (r) => {
    const runs = defaultMemoryRuns(r.memory.runs);
    const bundle = runs.map((m) => `${fixed(m.microsPerRow)} µs at ${int(m.rows)} rows`).join(', ');
    return (
      `Bounded by the SDK's client-side cost per item (the bare loop alone is ${fixed(r.instantTable.bare.microsPerItem)} µs) plus the processor's own work; see "What dominates". ` +
      `The deployed bundle in plain node measures ${bundle}: fixed costs and the JIT's warm-up weigh less on larger files.`
    );
  },
  'moto-ratio': (r) => `moto (one Python process) shares the machine's ${r.machine.cpus} cores with the processor: the more CPU the processor itself takes, the less moto gets.`,
  'big-rss': () => 'V8 collects lazily while its heap is far from its limit, so a peak counts garbage not yet collected (see "Memory").',
  'rss-growth': () => 'V8 lets its heap grow to a multiple of the live data before a full collection, and the peaks vary from run to run (see "Memory").',
  zip: () => 'The source map is most of the zip; the code alone is far below the target.',
  load: () => 'Module load is parsing and running the bundled AWS SDK; it is wall time, so a busy machine slows it (the fastest of the runs is in "Cold start").',
};

export function instantSection(r: BenchResults): string {
  const { processor, bare, variants } = r.instantTable;
  const extra = processor.microsPerRow - bare.microsPerItem;
  const signed = (n: number) => `${n >= 0 ? '+' : '−'}${fixed(Math.abs(n))}`;
  const savings = variants.map((v) => `${BARE_CLIENTS[v.client]}: ${fixed(v.microsPerItem)} µs (${signed(v.microsPerItem - bare.microsPerItem)} µs)`);
  return `### 1. The ceiling: the instant table

${markdownTable(instantTable(r))}

The processor handles **${int(processor.rowsPerSecond)} rows/s** at **${fixed(processor.microsPerRow)} µs** of node CPU per row; the bare loop
sends the same items with the same client at **${int(bare.itemsPerSecond)} items/s** and ${fixed(bare.microsPerItem)} µs per item, so the
processor runs at **${fixed(processor.rowsPerSecond / bare.itemsPerSecond, 2)}×** the write path's own limit on this machine and spends
${fixed(extra)} µs per row on its own work. The other bare loops show what the write path's choices are worth per
item, against the processor's client: ${savings.join('; ')}. The server CPU column is the proxy's and moto's (S3, ledger):
they run in other processes and are not in the node CPU figures. The processor's first
BatchWriteItem left ${fixed(processor.secondsToFirstWrite ?? NaN, 2)} s after the handler started (the claim and pass 1).

#### Where a row's CPU goes

${markdownTable(cpuBudgetTable(r))}
`;
}

export function profileSection(r: BenchResults): string {
  const tables = profileTables(r);
  const profile = r.instantTable.profiled.profile;
  if (!tables || !profile) return '';
  const share = (name: string) => profile.watched.find((w) => w.name.startsWith(name))?.share ?? 0;
  const pkg = (name: string) => profile.byPackage.find((p) => p.name === name)?.share ?? 0;
  const sdk = profile.byPackage.filter((p) => p.name.startsWith('@smithy/') || p.name.startsWith('@aws-sdk/')).reduce((n, p) => n + p.share, 0);
  return `#### What dominates (CPU profile)

The processor on the instant table under V8's sampling profiler (the one \`node --cpu-prof\` uses,
started around the handler only: ${int(r.instantTable.profiled.rows)} rows, ${fixed(profile.sampledMs / 1000, 1)} s sampled; the profile is
\`${profile.file}\`, open it in Chrome DevTools or speedscope). Self time by package or module:

${markdownTable(tables.packages)}

The functions with the most self time:

${markdownTable(tables.functions)}

Inclusive time of the things worth watching:

${markdownTable(tables.watched)}

Reading it: the AWS SDK's packages hold **${pct(sdk)}** of the self time, the CSV contract (both passes)
${pct(share('CSV contract'))} inclusive, garbage collection ${pct(pkg('(garbage collector)'))}, node's HTTP client ${pct(share('node http'))} inclusive
(\`writev\` is the socket write: on loopback the kernel's TCP work is charged to the sender).

What was changed to get here, in the order the profile pointed (the bare loops of section 1 price the write
path's part of it):

1. **The SDK's logger middleware is removed from the DynamoDB client** (runtime.ts \`dynamoClient\`).
   On every request it evaluated \`inputFilterSensitiveLog(args.input)\` — \`schemaLogFilter\` walking
   all the request's items — for a logger that discards the output; now ${pct(share('SDK logger'))} of the profile.
   lib-dynamodb as the SDK builds it costs ${fixed(variantMicros(r, 'sdk-defaults'))} µs per item in the bare loop, without the logger ${fixed(variantMicros(r, 'document'))} µs.
2. **The low-level BatchWriteItem with a marshaller for the order's shape** (adapters/dynamo-writer.ts
   \`orderAttributes\`, \`orderBatchSender\`): strings and numbers straight to AttributeValues, instead of
   lib-dynamodb's generic marshalling and its walk over the command's key nodes. The bare loop sends an
   item for ${fixed(r.instantTable.bare.microsPerItem)} µs this way (lib-dynamodb through the same client: ${fixed(variantMicros(r, 'document'))} µs); building the AttributeValues is ${fixed(r.instantTable.bare.microsPerItem - variantMicros(r, 'prebuilt'))} µs of it (${pct(share('AttributeValues'))} of the profile).
3. **Fewer objects and awaits per row**: the cleaned CSV and the errors report reach their uploads in
   chunks of 64 Ki characters, not one stream write per row; the writer returns a
   promise only when there is something to wait for; \`toItem\` and the cleaned line build no arrays;
   lines no longer allocate an empty buffer and an array each.
4. **The duplicate-id set is an \`OrderIdSet\`** (contract/order-id-set.ts): the ids' bytes in one arena,
   an open-addressing table of entry numbers and the first lines in typed arrays, exact (ids are
   compared byte for byte). ${idSetShare(r)}No string is copied per id, and the garbage collector
   has no million strings to walk.
5. **The rules' hot paths** (contract/rules.ts): a date already in \`toISOString\`'s layout is read digit
   by digit and kept as written; printable ASCII is recognised as visible text before the Unicode
   regexes run; each row's cells are one object literal of one shape (contract/reader.ts).

Measured and left out: pass 2 reusing pass 1's id set (the same bytes register the same ids, so pass 2
would only look them up) saved too little to be worth a second meaning of "first seen"; decoding a
line before looking for quotes was slower than \`Buffer#indexOf\`; a hash tag per slot of the id set
gained nothing measurable for more memory.

What is left is spread thin: the SDK's per-request work (serialisation, signing, HTTP, already shared by
25 items), two passes of the contract (pass 2 must read the file again: nothing of pass 1 is kept, so
memory stays flat), the cleaned CSV, and the collector.
`;
}

/** How the OrderIdSet's memory compares with a Map's, at the largest size measured. */
function idSetShare(r: BenchResults): string {
  const set = r.memory.idSet.at(-1);
  if (!set?.mapBytes) return '';
  return `It takes ${pct(set.bytes / set.mapBytes)} of the memory of a \`Map\` of the same ${int(set.rows)} ids (see *Memory*). `;
}

/** The bare loop's node CPU µs per item with this client (NaN when the run has no such variant). */
function variantMicros(r: BenchResults, client: BareClient): number {
  return r.instantTable.variants.find((b) => b.client === client)?.microsPerItem ?? NaN;
}

export function motoSection(r: BenchResults): string {
  const { processor, bare, peer } = r.moto;
  return `### 2. moto, honestly

moto's own BatchWriteItem ceiling (the bare loop, same items, same concurrency), next to ours and the
peers' baseline on the same moto (${int(r.files.moto.rows)} rows):

${markdownTable(motoTable(r))}

Against moto the emulator is the bottleneck: it spends ${fixed(((bare.serverCpuMs ?? NaN) * 1000) / bare.items, 0)} µs of CPU per item in the bare
loop and shares the ${r.machine.cpus} cores with node. Ours reaches **${fixed(processor.rowsPerSecond / bare.itemsPerSecond, 2)}×** of moto's ceiling
(target ${TARGETS.motoRatio}); the peers' one-PutItem-per-row loop ${fixed(peer.rowsPerSecond / bare.itemsPerSecond, 2)}×${peer.stats.stoppedEarly ? `, time-boxed at ${r.options.peerBudget} s (its whole file would take ~${int(peer.projectedSeconds)} s)` : ''}.

The peers' parsing, replayed over the whole file and compared with the rows the CSV contract reads:

${markdownTable(peerCorrectnessTable(r))}

Where it goes wrong:
- a quoted comma shifts every later column: \`"USB-C hub, 7 ports",3,34.50,SEK\` is stored as
  \`product_name="USB-C hub\` (stray quote), \`quantity=7\` (\`parseInt(' 7 ports"')\`), \`unit_price=3\`,
  \`currency="34.50"\` — silently, with a plausible-looking number in every numeric field;
- a doubled quote is kept: \`"27"" monitor"\` is stored with its quotes;
- a quoted line break splits one record into two lines; both are skipped with a \`Skipping invalid
  row\` log line, the order is lost, and the row count is off by one per such record.
`;
}

export function memorySection(r: BenchResults): string {
  const runs = defaultMemoryRuns(r.memory.runs);
  const big = runs.at(-1);
  const deployed = deployedMemoryRun(r.memory.runs, big?.rows);
  const set = idSetAt(r, big?.rows);
  const idSet = set?.bytes ?? NaN;
  const rows = Math.max(1, big?.rows ?? 1);
  const map = set?.mapBytes;
  return `### 3. Memory

The Lambda bundle in plain node (no tsx, nothing of the benchmark loaded), one process per run, on
the instant table: with node's defaults (as the targets are defined) and with the \`NODE_OPTIONS\` the
function is deployed with (modules/processor.ts). Peak RSS is the kernel's high-water mark (\`maxRSS\`,
what Lambda reports as "Max Memory Used"); V8's heap and the buffers outside it are sampled every
100 ms; the id set is the contract's \`OrderIdSet\` of as many order ids (V8 heap and ArrayBuffers),
measured apart.

${markdownTable(memoryTable(r))}

The duplicate-id set is the one structure that must grow with the file: ${bytes(idSet)} for ${int(big?.rows ?? 0)} ids
(~${int(idSet / rows)} bytes per id${map === undefined ? '' : `; a \`Map\` of the same ids takes ${bytes(map)}, ~${int(map / rows)} bytes per id`}). Everything
else stays flat: the file is streamed twice in slices of 16 KiB, the writer holds at most
WRITE_CONCURRENCY + 1 batches, and the cleaned CSV is uploaded in parts of 5 MiB as it is written.
V8 collects lazily while its heap is far from its limit, so a peak also counts garbage not yet collected.${
    deployed && big
      ? ` With the deployed \`${deployed.nodeOptions}\` the process holds ${bytes(deployed.rssBeforeBytes)} once the bundle is loaded
(${bytes(big.rssBeforeBytes)} with node's defaults: the source map is read when the bundle loads) and peaks at ${bytes(deployed.maxRssBytes)} on
${int(big.rows)} rows (${bytes(big.maxRssBytes)} with the defaults; peaks move by some MiB from run to run with the collector's timing).`
      : ''
  }
`;
}

export function coldStartSection(r: BenchResults): string {
  return `### 4. Cold start

The bundle built by \`scripts/bundle-processor.ts\` (esbuild, minified, AWS SDK included), zipped as
TerraformAsset does (deflate level 9), and loaded by fresh \`node\` processes:

${markdownTable(coldStartTable(r))}
`;
}

export function contractSection(r: BenchResults): string {
  return `### 5. The CSV contract alone

\`readOrders\` over a local file, no AWS: the parser's ceiling (the processor reads each file twice).

${markdownTable(contractTable(r))}

The SDK's client side alone, with a request handler that answers at once (no network): BatchWriteItem
${r.sdk.processor ? `through the processor's client and sender costs ${fixed(r.sdk.processor.microsPerItem)} µs per item at 25 per request, ` : ''}through lib-dynamodb as the SDK builds it
${fixed(r.sdk.batchWrite.microsPerItem)} µs; PutItem ${fixed(r.sdk.putItem.microsPerItem)} µs per item at one per request — writing one row per request is
${fixed(r.sdk.putItem.microsPerItem / r.sdk.batchWrite.microsPerItem, 1)}× the client CPU of the same DocumentClient's batches, before any round trip.
`;
}

export function hostileSection(r: BenchResults): string {
  return `### 6. Hostile inputs

\`validate FILE --json\` in a process of its own per input (\`bench/hostile.ts\`; targets: ≤ ${HOSTILE_TARGETS.smallFileSeconds} s for any
input of at most ${bytes(HOSTILE_TARGETS.smallFileBytes)}, peak RSS ≤ ${bytes(HOSTILE_TARGETS.peakRssBytes)} on every input):

${markdownTable(hostileTable(r))}
`;
}
