/** Plain-text tables for terminal output. Pure. */
import { escapeControls } from './inert.ts';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const visibleLength = (text: string) => [...text.replace(ANSI, '')].length;

/** A cell of our own words in a colour (terminal.ts's paint functions): the only cell not escaped. */
export interface Painted {
  text: string;
  paint: (text: string) => string;
}

export type Cell = string | number | Painted;

/** A cell as printed: outside text (keys, reasons, subjects) through the one escaper, so no cell can move the cursor or reorder a line. */
function render(cell: Cell): string {
  if (typeof cell === 'object') return cell.paint(escapeControls(cell.text));
  return escapeControls(String(cell));
}

const plain = (cell: Cell): string => (typeof cell === 'object' ? cell.text : String(cell));

/** Left-aligned columns separated by two spaces; numeric-looking cells right-aligned. */
export function renderTable(headers: string[], rows: Cell[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(render))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => visibleLength(r[i] ?? ''))));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => /^-?[\d.,]+$|^-$/.test(plain(r[i] ?? ''))));
  const line = (r: string[]) =>
    r
      .map((c, i) => {
        const pad = (widths[i] ?? 0) - visibleLength(c);
        return numeric[i] ? ' '.repeat(pad) + c : c + ' '.repeat(pad);
      })
      .join('  ')
      .trimEnd();
  const out = [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of cells.slice(1)) out.push(line(r));
  return out.join('\n');
}
