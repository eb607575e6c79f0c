/** Progress on stderr: a redrawn bar on a terminal, a few plain lines otherwise. Keys and labels are escaped (the one escaper). */
import { formatBytes } from './bytes.ts';
import { escapeControls } from './inert.ts';
import { errRaw, err, stderrIsTty } from './terminal.ts';

export { formatBytes };

/** `[██████······] 50%` — pure, for the bar and its tests. */
export function bar(fraction: number, width = 24): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(f * width);
  return `[${'█'.repeat(full)}${'·'.repeat(width - full)}] ${String(Math.floor(f * 100)).padStart(3)}%`;
}

export class ProgressBar {
  private lastPlainStep = -1;
  private done = false;

  private readonly label: string;

  constructor(
    label: string,
    private readonly total: number,
    private readonly tty = stderrIsTty,
  ) {
    this.label = escapeControls(label);
  }

  update(current: number, suffix = ''): void {
    if (this.done) return;
    const fraction = this.total > 0 ? current / this.total : 1;
    const text = `${bar(fraction)} ${this.label} ${formatBytes(current)}/${formatBytes(this.total)}${suffix ? ' ' + suffix : ''}`;
    if (this.tty) {
      errRaw(`\r${text}\u001b[K`);
      return;
    }
    // Without a terminal: a line at each quarter, so logs stay short.
    const step = Math.floor(fraction * 4);
    if (step !== this.lastPlainStep) {
      this.lastPlainStep = step;
      err(text);
    }
  }

  /** `message`: our sentence around outside text (a file name, a key, an error), escaped here. */
  finish(message: string): void {
    if (this.done) return;
    this.done = true;
    const shown = escapeControls(message);
    if (this.tty) errRaw(`\r${shown}\u001b[K\n`);
    else err(shown);
  }
}

/** A single status line redrawn in place on a terminal (waiting spinners). */
export class StatusLine {
  private last = '';
  constructor(private readonly tty = stderrIsTty) {}

  set(text: string): void {
    if (text === this.last) return;
    this.last = text;
    if (this.tty) errRaw(`\r${text}\u001b[K`);
  }

  clear(): void {
    if (this.tty && this.last) errRaw('\r\u001b[K');
    this.last = '';
  }
}

/**
 * A progress printer for step lines: transient lines (resource N of M) are redrawn in place on a
 * terminal and printed one per line otherwise; other lines are always printed.
 */
export function stepPrinter(
  print: (line: string) => void,
  format: (line: string) => string = (line) => line,
  tty = stderrIsTty,
): (line: string, transient?: boolean) => void {
  const status = new StatusLine(tty);
  return (line, transient = false) => {
    if (transient && tty) {
      status.set(format(line));
      return;
    }
    status.clear();
    print(format(line));
  };
}

/** A file being waited for: its key, and how far it has come when that is worth showing (a large file's parts). */
export interface FileWait {
  key: string;
  progress: string | null;
}

/** `waiting for the outcomes: 1/3 files handled · raw-data/big.csv parts 3/8 written`. Pure. */
export function waitingLine(done: number, total: number, files: readonly FileWait[]): string {
  const details = files.flatMap((f) => (f.progress ? [`${escapeControls(f.key)} ${f.progress}`] : []));
  return `waiting for the outcomes: ${done}/${total} files handled…${details.map((d) => ` · ${d}`).join('')}`;
}

/**
 * The progress of files being waited for: on a terminal one line redrawn in place
 * (`waitingLine`); otherwise a plain line per file each time its progress changes
 * (`raw-data/big.csv: parts 3/8 written`), so a log shows how a large file went.
 */
export class WaitProgress {
  private readonly line: StatusLine;
  private readonly shown = new Map<string, string>();

  constructor(
    private readonly tty = stderrIsTty,
    private readonly print: (line: string) => void = err,
  ) {
    this.line = new StatusLine(tty);
  }

  update(done: number, total: number, files: readonly FileWait[]): void {
    if (this.tty) {
      this.line.set(waitingLine(done, total, files));
      return;
    }
    for (const f of files) {
      if (!f.progress || this.shown.get(f.key) === f.progress) continue;
      this.shown.set(f.key, f.progress);
      this.print(`${escapeControls(f.key)}: ${f.progress}`);
    }
  }

  clear(): void {
    this.line.clear();
  }
}
