/**
 * The CLI's own output, through the stream writers captured when this module loads (the
 * processor's own output never reaches them: it runs in worker threads whose output goes to the
 * processor log, local/function-logs.ts).
 */
const stdoutWrite = process.stdout.write.bind(process.stdout);
const stderrWrite = process.stderr.write.bind(process.stderr);

export function out(line = ''): void {
  stdoutWrite(line + '\n');
}

export function err(line = ''): void {
  stderrWrite(line + '\n');
}

/** Raw write to stderr (progress bars redraw a line with \r). */
export function errRaw(text: string): void {
  stderrWrite(text);
}

export const stderrIsTty = Boolean(process.stderr.isTTY);
export const stdoutIsTty = Boolean(process.stdout.isTTY);

/** ANSI colour only on a terminal, and never when NO_COLOR is set. */
const colour = stdoutIsTty && !process.env.NO_COLOR;
const paint = (code: number) => (text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
export const bold = paint(1);
export const dim = paint(2);
export const red = paint(31);
export const green = paint(32);
export const yellow = paint(33);
export const cyan = paint(36);

// `order-pipeline alerts | head`: a closed pipe ends the output quietly, as for any Unix tool.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}
