/** What `npm run bench` prints: every figure of the run, the targets with ✓/✗ first. */
import { renderTable } from '../../cli/render/table.ts';
import type { BenchResults } from '../results.ts';
import { awsModel } from './aws-model.ts';
import {
  bytes,
  coldStartTable,
  conservationFailures,
  contractTable,
  cpuBudgetTable,
  fixed,
  instantTable,
  int,
  memoryTable,
  motoTable,
  peerCorrectnessTable,
  profileTables,
  targetsTable,
  type Table,
} from './tables.ts';
import { machineWasBusy } from './targets.ts';

const table = (t: Table) => renderTable(t.headers, t.rows);

export function consoleReport(r: BenchResults, hostileReport: string[]): string {
  const m = r.machine;
  const out: string[] = [''];
  out.push(
    `Machine: ${m.cpus} cores, ${m.cpuModel}, ${bytes(m.memoryBytes)} RAM, node ${m.node}${m.moto ? `, moto ${m.moto}` : ''}; ` +
      `load average ${fixed(m.loadAverage.start, 2)} at start, ${fixed(m.loadAverage.end, 2)} at end${r.quick ? ' [--quick sizes]' : ''}`,
  );
  // The benchmark itself keeps about two processes busy (moto or the proxy, and one measurement).
  if (machineWasBusy(m)) {
    out.push(`WARNING: other work was running (1-minute load average above ${m.cpus + 1}; the benchmark accounts for ~2): timings are skewed.`);
  }
  out.push(`Input: ${int(r.files.main.rows)} rows (${bytes(r.files.main.bytes)}), ${int(r.files.main.multilineRows)} with a quoted line break; WRITE_CONCURRENCY=${r.options.concurrency}`, '');

  out.push('Targets', table(targetsTable(r.targets)), '');
  out.push('1. Instant table: DynamoDB BatchWriteItem answered at once by a proxy in front of moto; everything else is moto', table(instantTable(r)), '');
  out.push('   Where a row goes (node CPU)', table(cpuBudgetTable(r)), '');
  const profile = profileTables(r);
  if (profile) {
    out.push(`   Profile of the processor on the instant table (${int(r.instantTable.profiled.rows)} rows, ${fixed(r.instantTable.profiled.profile?.sampledMs ?? 0, 0)} ms sampled; ${r.instantTable.profiled.profile?.file})`);
    out.push(table(profile.packages), '', table(profile.functions), '', table(profile.watched), '');
  }
  out.push("2. moto itself: moto's own BatchWriteItem ceiling, ours and the peers' on the same moto", table(motoTable(r)), '');
  const a = r.moto.peer.analysis;
  out.push(`   peers, whole file replayed against the contract: ${int(a.exact)} of ${int(a.contractRows)} stored exactly, ${int(a.wrongValues)} with wrong values, ${int(a.lost)} lost`);
  out.push(table(peerCorrectnessTable(r)), '');
  out.push('3. Memory: the Lambda bundle in plain node on the instant table, one process per run', table(memoryTable(r)), '');
  out.push('4. Cold start: the Lambda bundle', table(coldStartTable(r)), '');
  out.push('5. The CSV contract alone (readOrders, local file)', table(contractTable(r)), '');
  out.push(...hostileReport);

  const model = awsModel(r);
  out.push(
    `AWS picture (docs/performance.md shows the arithmetic): ~${int(model.rowsPerSecond)} rows/s per invocation at 1,769 MB ` +
      `(${fixed(model.microsPerRow)} µs/row); largest unsplit file in 15 min ~${int(model.largestRows)} rows (${bytes(model.largestBytes)}); ` +
      `~$${fixed(model.cost.total, 3)} per million orders`,
  );
  const failures = conservationFailures(r);
  out.push(failures.length === 0 ? 'Conservation: every check held.' : 'CONSERVATION CHECKS FAILED:', ...failures.map((f) => `  ${f}`));
  return out.join('\n');
}
