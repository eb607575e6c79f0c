/** Messages between the Upload page and the check's Web Worker (check-worker.ts). */
import type { FileReport } from '../../functions/order-processor/index.ts';

export type { FileReport };

/** How many rejected rows the check keeps to show (the counts stay exact). */
export const CHECK_SHOWN_ERRORS = 100;

export interface CheckRequest {
  id: number;
  file: File;
}

export type CheckReply =
  | { id: number; kind: 'progress'; read: number; size: number }
  | { id: number; kind: 'done'; report: FileReport; ms: number }
  | { id: number; kind: 'error'; message: string };
