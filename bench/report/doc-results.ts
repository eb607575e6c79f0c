/**
 * docs/performance.md, the results: the targets, then each measurement's table, with the few
 * sentences that read them. Every number comes from the run's results (BenchResults).
 */
import type { BenchResults } from '../results.ts';
import { defaultMemoryRuns, TARGETS } from './targets.ts';
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
  return `## Targets (issue 10)

${markdownTable(targetsTable(r.targets))}

${missed.length === 0 ? 'Every target is met in this run.' : `Missed in this run, and what bounds them:\n\n${lines.join('\n')}`}
`;
}

/** What bounds each target when it is missed (the evidence is in the sections below). */
const BOUNDS: Record<string, (r: BenchResults) => string> = {
  'instant-ratio': (r) => {
    const { processor, bare } = r.instantTable;
    return (
      `The bare loop does nothing but the SDK's work; the processor adds its own per-row work on the same core (see "Where a row's CPU goes" and "What dominates"). ` +
      `By CPU alone — what one Lambda vCPU would see — the ratio is ${fixed(bare.microsPerItem / processor.microsPerRow, 2)} (${fixed(bare.microsPerItem)} µs per item ÷ ${fixed(processor.microsPerRow)} µs per row); ` +
      'by wall time it is lower still when the machine is busy, because the processor also waits on moto for S3 and the ledger.'
    );
  },
  'instant-cpu': (r) => {
    const runs = defaultMemoryRuns(r.memory.runs);
    const bundle = runs.map((m) => `${fixed(m.microsPerRow)} µs at ${int(m.rows)} rows`).join(', ');
    return (
      `Bounded today by the SDK's client-side cost per item (the bare loop alone is ${fixed(r.instantTable.bare.microsPerItem)} µs) plus the processor's own work; see "What dominates" for what to cut first. ` +
      `The deployed bundle in plain node measures ${bundle}: fixed costs and the JIT's warm-up weigh less on larger files.`
    );
  },
  'moto-ratio': (r) => `moto (one Python process) shares the machine's ${r.machine.cpus} cores with the processor: the more CPU the processor itself takes, the less moto gets.`,
  'big-rss': (r) => {
    const capped = r.memory.runs.find((m) => m.nodeOptions !== '');
    return `With its defaults V8 collects lazily, so the peak counts garbage${capped ? `; the same run with \`${capped.nodeOptions}\` peaks at ${bytes(capped.maxRssBytes)} (see "Memory")` : ''}.`;
  },
  'rss-growth': () => 'V8 lets its heap grow to a multiple of the live data before a full collection, so the id set costs more RSS than its own live size, and the peaks vary from run to run (see "Memory").',
  zip: () => 'The source map is most of the zip; the code alone is far below the target.',
  load: () => 'Module load is parsing and running the bundled AWS SDK; it is wall time, so a busy machine slows it (the fastest of the runs is in "Cold start").',
};

export function instantSection(r: BenchResults): string {
  const { processor, bare, variants } = r.instantTable;
  const extra = processor.microsPerRow - bare.microsPerItem;
  const savings = variants.map((v) => `${BARE_CLIENTS[v.client]}: ${fixed(v.microsPerItem)} µs (${fixed(bare.microsPerItem - v.microsPerItem)} µs less)`);
  return `### 1. The ceiling: the instant table

${markdownTable(instantTable(r))}

The processor handles **${int(processor.rowsPerSecond)} rows/s** at **${fixed(processor.microsPerRow)} µs** of node CPU per row; the bare loop
sends the same items with the same client at **${int(bare.itemsPerSecond)} items/s** and ${fixed(bare.microsPerItem)} µs per item, so the
processor runs at **${fixed(processor.rowsPerSecond / bare.itemsPerSecond, 2)}×** the write path's own limit on this machine and spends
${fixed(extra)} µs per row on its own work. The other bare loops measure what the write path itself could
save per item: ${savings.join('; ')}. The server CPU column is the proxy's and moto's (S3, ledger):
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
What to try first, in the order the numbers suggest (the bare-loop variants of section 1 measure
the write path's share of each):

1. **Remove the SDK's logger middleware** (${pct(share('SDK logger'))} of the processor's CPU; bare loop
   ${fixed(variantSaving(r, 'document-no-logger'))} µs per item less): it evaluates \`inputFilterSensitiveLog(args.input)\` — \`schemaLogFilter\`
   walking every request's items — before calling a logger that discards the output.
   \`client.middlewareStack.remove('loggerMiddleware')\` on the DynamoDB client skips it (errors still
   reach the writer, which logs its retries itself).
2. **Then the low-level client with each row's AttributeValues built once** (bare loop without the
   logger: ${fixed(variantSaving(r, 'low-level-no-logger'))} µs per item less in all). Not before step 1: with the logger in place, its filter
   walks AttributeValue unions instead of plain values and eats most of what skipping lib-dynamodb's
   marshalling (${pct(share('lib-dynamodb'))} in util-dynamodb, plus \`processKeysInObj\`) saves (bare loop: ${fixed(variantSaving(r, 'low-level'))} µs).
3. **Fewer allocations and awaits per row**: \`toItem\` (an \`Object.entries\` array per row), an \`await\`
   per row for the writer and another for the cleaned CSV, the async generator's events: fewer
   objects and microtasks (\`runMicrotasks\`), less GC.
4. **What pass 1 can hand to pass 2**: pass 2 parses and validates every row again; pass 1 already
   knows which lines are rejected (a short list, or a bitmap), so pass 2 could skip validation and the
   duplicate-id set altogether — the contract is ${pct(share('CSV contract'))} for both passes, so at most about half of
   that.
5. **SigV4 and JSON serialisation** (${pct(share('SigV4'))} signing) are per request, not per row: 25 items
   (DynamoDB's maximum) already spread them.
`;
}

/** µs per item the bare loop with this client saves against the one clientsFromEnv builds. */
function variantSaving(r: BenchResults, client: string): number {
  const v = r.instantTable.variants.find((b) => b.client === client);
  return v ? r.instantTable.bare.microsPerItem - v.microsPerItem : NaN;
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
  const capped = r.memory.runs.find((m) => m.nodeOptions !== '');
  const idSet = r.memory.idSet.find((s) => s.rows === big?.rows)?.bytes ?? NaN;
  return `### 3. Memory

The Lambda bundle in plain node (no tsx, nothing of the benchmark loaded), one process per run, on
the instant table. Peak RSS is the kernel's high-water mark (\`maxRSS\`, what Lambda reports as "Max
Memory Used"); V8's heap and the buffers outside it are sampled every 100 ms; the id set is the heap
of a \`Map\` of as many order ids, measured apart.

${markdownTable(memoryTable(r))}

The duplicate-id set is the one structure that must grow with the file: ${bytes(idSet)} for ${int(big?.rows ?? 0)} ids
(~${int(idSet / Math.max(1, big?.rows ?? 1))} bytes per id as a \`Map\`). With its defaults for a ${bytes(r.machine.memoryBytes)} machine V8 collects lazily
while the heap is far from its limit, so a peak counts garbage not yet collected, and buffers are
freed only when the objects holding them are collected.${
    capped && big
      ? ` Told a budget (\`${capped.nodeOptions}\`), the same ${int(capped.rows)}-row run
peaks at **${bytes(capped.maxRssBytes)}** instead of ${bytes(big.maxRssBytes)}, at ${fixed(capped.microsPerRow)} µs per row instead of ${fixed(big.microsPerRow)} (more
collections): the difference is collectable garbage, not data the processor holds. Setting that flag
in the function's \`NODE_OPTIONS\` (scaled to its memory size) keeps the peak inside a budget.`
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
through lib-dynamodb costs ${fixed(r.sdk.batchWrite.microsPerItem)} µs per item at 25 per request, PutItem ${fixed(r.sdk.putItem.microsPerItem)} µs per item at one per
request — writing one row per request is ${fixed(r.sdk.putItem.microsPerItem / r.sdk.batchWrite.microsPerItem, 1)}× the client CPU before any round trip.
`;
}

export function hostileSection(r: BenchResults): string {
  return `### 6. Hostile inputs

\`validate FILE --json\` in a process of its own per input (\`bench/hostile.ts\`; targets: ≤ 2 s for any
input of at most 1 MB, peak RSS ≤ 256 MiB on every input):

${markdownTable(hostileTable(r))}
`;
}
