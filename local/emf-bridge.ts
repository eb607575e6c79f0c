/**
 * CloudWatch Embedded Metric Format (EMF) → PutMetricData. Lambda's log pipeline turns the EMF
 * lines a function prints into metrics; locally the CLI does the same against the emulator.
 * Pure: parsing and conversion only.
 */
import type { MetricDatum, PutMetricDataInput, StandardUnit } from '@aws-sdk/client-cloudwatch';

export interface EmfMetricDirective {
  Namespace: string;
  Dimensions: string[][];
  Metrics: { Name: string; Unit?: string; StorageResolution?: number }[];
}

export interface EmfDocument {
  _aws: { Timestamp: number; CloudWatchMetrics: EmfMetricDirective[] };
  [key: string]: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The EMF document on this line, or null when the line is anything else (a log line, text). */
export function parseEmfLine(line: string): EmfDocument | null {
  const text = line.trim();
  if (!text.startsWith('{') || !text.includes('"_aws"')) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(parsed) || !isObject(parsed._aws)) return null;
  const aws = parsed._aws;
  if (!Array.isArray(aws.CloudWatchMetrics)) return null;
  const timestamp = typeof aws.Timestamp === 'number' ? aws.Timestamp : Date.now();
  const directives: EmfMetricDirective[] = [];
  for (const d of aws.CloudWatchMetrics) {
    if (!isObject(d) || typeof d.Namespace !== 'string' || !Array.isArray(d.Metrics)) continue;
    const metrics = d.Metrics.filter(
      (m): m is EmfMetricDirective['Metrics'][number] => isObject(m) && typeof m.Name === 'string',
    );
    const dimensions = Array.isArray(d.Dimensions)
      ? d.Dimensions.filter((set): set is string[] => Array.isArray(set) && set.every((n) => typeof n === 'string'))
      : [];
    directives.push({ Namespace: d.Namespace, Dimensions: dimensions, Metrics: metrics });
  }
  return { ...parsed, _aws: { Timestamp: timestamp, CloudWatchMetrics: directives } };
}

const UNITS = new Set<string>([
  'Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes',
  'Bits', 'Kilobits', 'Megabits', 'Gigabits', 'Terabits', 'Percent', 'Count', 'Bytes/Second',
  'Kilobytes/Second', 'Megabytes/Second', 'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second',
  'Kilobits/Second', 'Megabits/Second', 'Gigabits/Second', 'Terabits/Second', 'Count/Second', 'None',
]);

function numbersOf(value: unknown): number[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

/**
 * One PutMetricData request per namespace (split into chunks of `chunkSize` data), one datum per
 * value and dimension set, as CloudWatch would derive them from the EMF document.
 */
export function emfToPutMetricData(doc: EmfDocument, chunkSize = 20): PutMetricDataInput[] {
  const byNamespace = new Map<string, MetricDatum[]>();
  const timestamp = new Date(doc._aws.Timestamp);
  for (const directive of doc._aws.CloudWatchMetrics) {
    const data = byNamespace.get(directive.Namespace) ?? [];
    byNamespace.set(directive.Namespace, data);
    // A directive with no dimension sets still publishes the metric, undimensioned.
    const sets = directive.Dimensions.length > 0 ? directive.Dimensions : [[]];
    for (const metric of directive.Metrics) {
      const values = numbersOf(doc[metric.Name]);
      const unit = metric.Unit && UNITS.has(metric.Unit) ? (metric.Unit as StandardUnit) : undefined;
      for (const set of sets) {
        const dimensions = set
          .filter((name) => doc[name] !== undefined && doc[name] !== null)
          .map((name) => ({ Name: name, Value: String(doc[name]) }));
        for (const value of values) {
          data.push({
            MetricName: metric.Name,
            Dimensions: dimensions,
            Value: value,
            Timestamp: timestamp,
            ...(unit ? { Unit: unit } : {}),
            ...(metric.StorageResolution ? { StorageResolution: metric.StorageResolution } : {}),
          });
        }
      }
    }
  }
  const requests: PutMetricDataInput[] = [];
  for (const [namespace, data] of byNamespace) {
    for (let i = 0; i < data.length; i += chunkSize) {
      requests.push({ Namespace: namespace, MetricData: data.slice(i, i + chunkSize) });
    }
  }
  return requests;
}

/** Splits a stream of chunks into complete lines, keeping the unfinished tail for the next chunk. */
export class LineSplitter {
  private tail = '';

  push(chunk: string): string[] {
    const text = this.tail + chunk;
    const lines = text.split('\n');
    this.tail = lines.pop() ?? '';
    return lines;
  }

  flush(): string[] {
    const rest = this.tail;
    this.tail = '';
    return rest ? [rest] : [];
  }
}
