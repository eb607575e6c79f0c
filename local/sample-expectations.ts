/**
 * Expected outcomes of the sample files, read from the table in sample-data/README.md (the
 * contract engineer's source of truth), mapped to ledger statuses: VALID → PROCESSED,
 * PARTIAL → PARTIAL, REJECTED → FAILED. Pure.
 */
export interface ExpectedOutcome {
  file: string;
  status: 'PROCESSED' | 'PARTIAL' | 'FAILED';
  rows: number;
  valid: number;
  rejected: number;
  blank: number;
}

const TO_LEDGER = { VALID: 'PROCESSED', PARTIAL: 'PARTIAL', REJECTED: 'FAILED' } as const;

export function parseSampleReadme(markdown: string): ExpectedOutcome[] {
  const out: ExpectedOutcome[] = [];
  for (const line of markdown.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    // | `file` | what | status | rows | valid | rejected | blank |
    if (cells.length < 9) continue;
    const file = /^`([^`]+)`$/.exec(cells[1] ?? '')?.[1];
    const status = /^(VALID|PARTIAL|REJECTED)\b/.exec(cells[3] ?? '')?.[1] as keyof typeof TO_LEDGER | undefined;
    const numbers = cells.slice(4, 8).map(Number);
    if (!file || !status || numbers.some((n) => !Number.isInteger(n))) continue;
    const [rows, valid, rejected, blank] = numbers as [number, number, number, number];
    out.push({ file, status: TO_LEDGER[status], rows, valid, rejected, blank });
  }
  return out;
}
