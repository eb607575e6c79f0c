/** Dashboard: the deployed dashboard's metrics over the last hours (the `dashboard` command's data), as uPlot charts. */
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import type { DashboardData, WidgetData } from '../api-types.ts';
import { getJson } from '../client.ts';
import { ErrorNote, num, Table, usePolling } from '../components.tsx';

const HOURS = [1, 3, 6, 12, 24];
const COLOURS = ['#2563eb', '#d97706', '#059669', '#dc2626', '#7c3aed', '#0891b2'];

export function DashboardPage() {
  const [hours, setHours] = useState(3);
  const { value: data, error } = usePolling(() => getJson<DashboardData>('/api/dashboard', { hours }), 30_000, [hours]);
  return (
    <section aria-labelledby="dash-title">
      <h1 id="dash-title">Dashboard</h1>
      <label>
        time range{' '}
        <select value={hours} onChange={(e) => setHours(Number((e.target as HTMLSelectElement).value))}>
          {HOURS.map((h) => (
            <option key={h} value={h}>{`last ${h} h`}</option>
          ))}
        </select>
      </label>
      <ErrorNote error={error} />
      {data?.note && <p class="muted">({data.note})</p>}
      {!data ? (
        <p aria-busy="true">loading…</p>
      ) : (
        <div class="charts">
          {data.widgets.map((w) => (
            <Chart key={w.title} widget={w} data={data} />
          ))}
        </div>
      )}
    </section>
  );
}

function Chart({ widget, data }: { widget: WidgetData; data: DashboardData }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const start = Date.parse(data.start) / 1000;
    const count = widget.series[0]?.values.length ?? 0;
    const xs = Array.from({ length: count }, (_, i) => start + i * data.period);
    const plot = new uPlot(
      {
        width: Math.max(260, el.clientWidth),
        height: 160,
        // Points as well as lines: a metric with data in one period only is a single point.
        series: [
          {},
          ...widget.series.map((s, i) => ({ label: s.spec.label, stroke: COLOURS[i % COLOURS.length]!, width: 1.5, points: { show: true, size: 6 } })),
        ],
        scales: { y: { range: (_u: uPlot, _min: number, max: number): uPlot.Range.MinMax => [0, Math.max(1, max)] } },
        axes: [{ stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,.2)' } }, { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,.2)' } }],
        legend: { show: true, live: false },
      },
      [xs, ...widget.series.map((s) => s.values)] as uPlot.AlignedData,
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(260, el.clientWidth), height: 160 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [widget, data]);
  return (
    <figure class="card chart">
      <figcaption>{widget.title}</figcaption>
      <div ref={box} aria-hidden="true" />
      <Table caption={`${widget.title}: totals`} head={['metric', 'total / latest']}>
        {widget.series.map((s) => (
          <tr key={s.spec.label}>
            <td>{s.spec.label}</td>
            <td class="num">{s.error ? 'unavailable' : s.total === null ? 'no data' : num(s.total)}</td>
          </tr>
        ))}
      </Table>
    </figure>
  );
}
