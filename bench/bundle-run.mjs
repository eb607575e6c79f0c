// Runs the Lambda bundle's handler once in plain node (no tsx, no benchmark code loaded), as the
// Lambda runtime would: `node bundle-run.mjs <bundle index.js> <event JSON> <context JSON>`, with
// the processor's environment set by the caller (bench/runs.ts). Reports over IPC the
// process's peak RSS (the kernel's maxRSS, what Lambda's "Max Memory Used" also is), the peaks of
// V8's heap and of buffers, node CPU and wall time of the invocation. Plain JavaScript on purpose: nothing but the bundle is in memory.
import { createRequire } from 'node:module';

const [bundle, eventJson, contextJson] = process.argv.slice(2);
const report = (message) => new Promise((resolve) => (process.send ? process.send(message, undefined, {}, resolve) : resolve(console.log(JSON.stringify(message)))));

try {
  const t0 = performance.now();
  const { handler } = createRequire(import.meta.url)(bundle);
  const loadMs = performance.now() - t0;
  const rssBeforeBytes = process.memoryUsage().rss;
  const deadline = Date.now() + 900_000;
  const context = { ...JSON.parse(contextJson), getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
  // Where the peak RSS goes: V8's heap (live data and garbage not yet collected) or buffers.
  // Sampled every 100 ms, which costs next to nothing.
  const peak = { heapTotalBytes: 0, heapUsedBytes: 0, externalBytes: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    peak.heapTotalBytes = Math.max(peak.heapTotalBytes, m.heapTotal);
    peak.heapUsedBytes = Math.max(peak.heapUsedBytes, m.heapUsed);
    peak.externalBytes = Math.max(peak.externalBytes, m.external);
  };
  const sampler = setInterval(sample, 100);
  const cpu0 = process.cpuUsage();
  const t1 = performance.now();
  const response = await handler(JSON.parse(eventJson), context);
  const seconds = (performance.now() - t1) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  sample();
  await report({
    type: 'result',
    data: {
      loadMs,
      seconds,
      cpuMs: (cpu.user + cpu.system) / 1000,
      rssBeforeBytes,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      peak,
      batchFailures: response?.batchItemFailures?.length ?? -1,
    },
  });
  process.exit(0);
} catch (error) {
  await report({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
}
