/** The dashboard as one self-contained HTML page: inline SVG charts, inline CSS, no external assets. Pure. */
import type { TimeWindow, WidgetData } from '../../deployment/dashboard-data.ts';
import { compactNumber } from './sparkline.ts';

const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** An SVG line chart of the widget's series over the window's buckets. */
export function chartSvg(widget: WidgetData, window: TimeWindow, width = 460, height = 200): string {
  const pad = { left: 48, right: 10, top: 10, bottom: 24 };
  const w = width - pad.left - pad.right;
  const h = height - pad.top - pad.bottom;
  const all = widget.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = all.length > 0 ? Math.max(...all, 0) : 1;
  const top = max === 0 ? 1 : max;
  const n = Math.max(1, widget.series[0]?.values.length ?? 1);
  const x = (i: number) => pad.left + (n === 1 ? w / 2 : (i / (n - 1)) * w);
  const y = (v: number) => pad.top + h - (v / top) * h;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(widget.title)}">`,
    `<rect x="${pad.left}" y="${pad.top}" width="${w}" height="${h}" fill="#fafafa" stroke="#ddd"/>`,
  ];
  for (const f of [0, 0.5, 1]) {
    const yy = pad.top + h - f * h;
    parts.push(`<line x1="${pad.left}" x2="${pad.left + w}" y1="${yy}" y2="${yy}" stroke="#eee"/>`);
    parts.push(`<text x="${pad.left - 4}" y="${yy + 4}" font-size="10" text-anchor="end" fill="#666">${compactNumber(top * f)}</text>`);
  }
  const fmt = (d: Date) => d.toISOString().slice(11, 16);
  parts.push(`<text x="${pad.left}" y="${height - 6}" font-size="10" fill="#666">${fmt(window.start)}</text>`);
  parts.push(`<text x="${pad.left + w}" y="${height - 6}" font-size="10" fill="#666" text-anchor="end">${fmt(window.end)} UTC</text>`);
  widget.series.forEach((s, si) => {
    const colour = COLOURS[si % COLOURS.length]!;
    // Gaps (no data) break the line; single points show as dots.
    let segment: string[] = [];
    const flush = () => {
      if (segment.length > 1) parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${segment.join(' ')}"/>`);
      segment = [];
    };
    s.values.forEach((v, i) => {
      if (v === null) return flush();
      const point = `${x(i).toFixed(1)},${y(v).toFixed(1)}`;
      segment.push(point);
      parts.push(`<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="2" fill="${colour}"><title>${escapeHtml(s.spec.label)}: ${v}</title></circle>`);
    });
    flush();
  });
  parts.push('</svg>');
  return parts.join('');
}

export function dashboardHtml(options: { name: string; target: string; window: TimeWindow; widgets: WidgetData[]; generatedAt?: Date }): string {
  const generated = (options.generatedAt ?? new Date()).toISOString();
  const cards = options.widgets
    .map((widget) => {
      const legend = widget.series
        .map((s, si) => {
          const value = s.error ? `unavailable (${escapeHtml(s.error)})` : s.total === null ? 'no data' : compactNumber(s.total);
          return `<li><span class="swatch" style="background:${COLOURS[si % COLOURS.length]}"></span>${escapeHtml(s.spec.label)} <b>${value}</b></li>`;
        })
        .join('');
      return `<section class="card"><h2>${escapeHtml(widget.title)}</h2>${chartSvg(widget, options.window)}<ul class="legend">${legend}</ul></section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(options.name)} — dashboard</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
header p { color: #555; margin: 0.2rem 0; }
main { display: grid; grid-template-columns: repeat(auto-fill, minmax(480px, 1fr)); gap: 1rem; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 0.6rem 0.8rem; }
.card h2 { font-size: 1rem; margin: 0 0 0.4rem; }
.legend { list-style: none; padding: 0; margin: 0.4rem 0 0; font-size: 0.85rem; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.4em; border-radius: 2px; }
</style>
</head>
<body>
<header>
<h1>${escapeHtml(options.name)}</h1>
<p>Target: ${escapeHtml(options.target)}</p>
<p>${escapeHtml(options.window.start.toISOString())} → ${escapeHtml(options.window.end.toISOString())}, one point per ${options.window.period} s. Totals are sums for Sum statistics, else the latest value. Generated ${escapeHtml(generated)}.</p>
</header>
<main>
${cards}
</main>
</body>
</html>
`;
}
