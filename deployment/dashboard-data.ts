/**
 * The deployed dashboard's metric widgets, evaluated with GetMetricData: parsing the dashboard
 * body (pure) and fetching the series.
 *
 * moto's CloudWatch drops the namespace filter when dimensions are given (docs/local.md), so the data
 * of a query is matched back to its request by query id only, and a query that the emulator
 * rejects (e.g. percentile statistics) is reported as unsupported instead of failing the page.
 */
import { GetDashboardCommand, GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';

export interface MetricSpec {
  namespace: string;
  metricName: string;
  dimensions: { name: string; value: string }[];
  stat: string;
  label: string;
  period: number;
}

export interface WidgetSpec {
  title: string;
  metrics: MetricSpec[];
}

export interface Series {
  spec: MetricSpec;
  /** One value per period bucket (null: no data in that period). */
  values: (number | null)[];
  total: number | null;
  latest: number | null;
  error?: string;
}

export interface WidgetData {
  title: string;
  series: Series[];
}

export interface TimeWindow {
  start: Date;
  end: Date;
  period: number;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Widget metric arrays in CloudWatch's dashboard syntax: `[ns, name, dimName, dimValue, …, {opts}]`,
 * where "." repeats the value at the same position in the previous row. Expression rows
 * (`[{expression}]`) are skipped: they are not metrics.
 */
export function parseDashboardBody(body: string, defaultPeriod = 300): WidgetSpec[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new Error('the dashboard body is not JSON');
  }
  const widgets = isObject(parsed) && Array.isArray(parsed.widgets) ? parsed.widgets : [];
  const out: WidgetSpec[] = [];
  for (const w of widgets) {
    if (!isObject(w) || w.type !== 'metric' || !isObject(w.properties)) continue;
    const props = w.properties;
    const rows = Array.isArray(props.metrics) ? props.metrics : [];
    const widgetStat = typeof props.stat === 'string' ? props.stat : 'Average';
    const widgetPeriod = typeof props.period === 'number' ? props.period : defaultPeriod;
    let previous: string[] = [];
    const metrics: MetricSpec[] = [];
    for (const row of rows) {
      if (!Array.isArray(row)) continue;
      const last = row[row.length - 1];
      const options = isObject(last) ? last : {};
      const parts = (isObject(last) ? row.slice(0, -1) : row).map((p, i) => (p === '.' ? (previous[i] ?? '') : String(p)));
      if (parts.length < 2) continue;
      previous = parts;
      const [namespace, metricName, ...dims] = parts;
      const dimensions: MetricSpec['dimensions'] = [];
      for (let i = 0; i + 1 < dims.length; i += 2) dimensions.push({ name: dims[i]!, value: dims[i + 1]! });
      const stat = typeof options.stat === 'string' ? options.stat : widgetStat;
      metrics.push({
        namespace: namespace!,
        metricName: metricName!,
        dimensions,
        stat,
        label: typeof options.label === 'string' ? options.label : `${metricName} (${stat})`,
        period: typeof options.period === 'number' ? options.period : widgetPeriod,
      });
    }
    if (metrics.length > 0) out.push({ title: typeof props.title === 'string' ? props.title : '(untitled)', metrics });
  }
  return out;
}

export function toQuery(spec: MetricSpec, id: string, period: number): MetricDataQuery {
  return {
    Id: id,
    ReturnData: true,
    Label: spec.label,
    MetricStat: {
      Metric: { Namespace: spec.namespace, MetricName: spec.metricName, Dimensions: spec.dimensions.map((d) => ({ Name: d.name, Value: d.value })) },
      Period: period,
      Stat: spec.stat,
    },
  };
}

/** Places timestamped values into fixed period buckets from start to end. */
export function bucketValues(timestamps: Date[], values: number[], window: TimeWindow): (number | null)[] {
  const count = Math.max(1, Math.ceil((window.end.getTime() - window.start.getTime()) / (window.period * 1000)));
  const buckets: (number | null)[] = Array.from({ length: count }, () => null);
  timestamps.forEach((t, i) => {
    const index = Math.floor((t.getTime() - window.start.getTime()) / (window.period * 1000));
    const v = values[i];
    if (index >= 0 && index < count && v !== undefined) buckets[index] = (buckets[index] ?? 0) + v;
  });
  return buckets;
}

/** Summary for a series: the sum for Sum/SampleCount stats, else the latest value. */
function summarise(spec: MetricSpec, values: (number | null)[]): { total: number | null; latest: number | null } {
  const present = values.filter((v): v is number => v !== null);
  if (present.length === 0) return { total: null, latest: null };
  const latest = present[present.length - 1]!;
  const additive = spec.stat === 'Sum' || spec.stat === 'SampleCount';
  const total = additive ? present.reduce((a, b) => a + b, 0) : spec.stat === 'Maximum' ? Math.max(...present) : latest;
  return { total, latest };
}

export async function getDashboardWidgets(cloudwatch: CloudWatchClient, name: string): Promise<WidgetSpec[]> {
  const out = await cloudwatch.send(new GetDashboardCommand({ DashboardName: name }));
  return parseDashboardBody(out.DashboardBody ?? '{}');
}

async function fetchSeries(cloudwatch: CloudWatchClient, queries: MetricDataQuery[], window: TimeWindow) {
  const results = new Map<string, { timestamps: Date[]; values: number[] }>();
  let nextToken: string | undefined;
  do {
    const out = await cloudwatch.send(
      new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: window.start, EndTime: window.end, NextToken: nextToken, ScanBy: 'TimestampAscending' }),
    );
    for (const r of out.MetricDataResults ?? []) {
      const prev = results.get(r.Id ?? '') ?? { timestamps: [], values: [] };
      prev.timestamps.push(...(r.Timestamps ?? []));
      prev.values.push(...(r.Values ?? []));
      results.set(r.Id ?? '', prev);
    }
    nextToken = out.NextToken;
  } while (nextToken);
  return results;
}

/** GetMetricData for every metric of every widget over the window. */
export async function loadWidgetData(cloudwatch: CloudWatchClient, widgets: WidgetSpec[], window: TimeWindow): Promise<WidgetData[]> {
  const specs = widgets.flatMap((w, wi) => w.metrics.map((spec, mi) => ({ id: `w${wi}m${mi}`, spec })));
  const queries = specs.map(({ id, spec }) => toQuery(spec, id, window.period));
  let results = new Map<string, { timestamps: Date[]; values: number[] }>();
  const errors = new Map<string, string>();
  try {
    // GetMetricData takes up to 500 queries per call.
    for (let i = 0; i < queries.length; i += 500) {
      for (const [k, v] of await fetchSeries(cloudwatch, queries.slice(i, i + 500), window)) results.set(k, v);
    }
  } catch {
    // One bad query fails the whole call: retry one by one to keep the good ones.
    results = new Map();
    for (const q of queries) {
      try {
        for (const [k, v] of await fetchSeries(cloudwatch, [q], window)) results.set(k, v);
      } catch (e) {
        errors.set(q.Id!, (e as Error).message);
      }
    }
  }
  return widgets.map((w, wi) => ({
    title: w.title,
    series: w.metrics.map((spec, mi) => {
      const id = `w${wi}m${mi}`;
      const r = results.get(id);
      const values = r ? bucketValues(r.timestamps, r.values, window) : bucketValues([], [], window);
      const error = errors.get(id);
      return { spec, values, ...summarise(spec, values), ...(error ? { error } : {}) };
    }),
  }));
}

/** The last `hours`, aligned to whole periods. */
export function timeWindow(hours: number, period: number, now = new Date()): TimeWindow {
  const end = new Date(Math.ceil(now.getTime() / (period * 1000)) * period * 1000);
  return { start: new Date(end.getTime() - hours * 3_600_000), end, period };
}
