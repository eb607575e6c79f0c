/**
 * File names under the CSV contract (docs/csv-format.md: `.csv` and `.csv.gz` are accepted). The content
 * decides plain vs gzip; the name only decides whether the file is meant to be an order CSV at all,
 * so a stray `.xlsx`, `.txt` or `.json` dropped in raw-data/ is rejected with a reason instead of
 * being read as text. Shared by the processor (S3 key) and `validate` (local path).
 */
import { quote } from './headers.ts';

const ACCEPTED = /\.csv(?:\.gz)?$/i;

/** Why a file of this name is not processed, or null when the name is accepted (any case). */
export function fileNameProblem(name: string): string | null {
  if (ACCEPTED.test(name)) return null;
  // A key ending in `/` (a non-empty object named like a folder) has no base name: show it whole.
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1) || name;
  return `the file name ${quote(base)} does not end in .csv or .csv.gz; expected a CSV file named *.csv or *.csv.gz (upload a spreadsheet saved as "CSV UTF-8")`;
}
