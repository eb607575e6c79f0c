import { createReadStream } from 'node:fs';
const root = process.env.ROOT ?? '/work/wt/schema';
const { readOrders } = await import(`${root}/functions/order-processor/contract/reader.ts`);
const path = process.argv[2] ?? '/tmp/schema-bench/x.csv';
const schemaPath = process.argv[3];
let schema: unknown;
if (schemaPath) {
  const m = await import(`${root}/functions/order-processor/contract/schema/load.ts`);
  schema = m.loadSchemaFile(schemaPath);
}
const now = new Date();
const runs: number[] = [];
for (let r = 0; r < 5; r++) {
  const ctx: any = { sourceKey: path, ingestionId: 'b', processedAt: now.toISOString(), now };
  if (schema) ctx.schema = schema;
  let n = 0, v = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for await (const e of readOrders(createReadStream(path), ctx)) { if (e.kind === 'valid') v++; if (e.kind !== 'header') n++; }
  const c = process.cpuUsage(c0);
  const s = (c.user + c.system) / 1e6;
  runs.push(n / s);
  console.log(`run ${r}: ${n} rows (${v} valid) ${(n / s).toFixed(0)} rows/s`);
}
runs.sort((a, b) => a - b);
console.log(`median ${runs[2].toFixed(0)} rows/s, best ${runs[4].toFixed(0)}`);
