/**
 * Conservation, checked by the coordinator after every run that writes (the benchmark exits
 * non-zero when one fails): for a file, the ledger's final outcome accounts for every generated
 * row (rows = written + rejected) and the server received exactly `written` items; for a bare
 * loop, the server received every item sent and none came back unprocessed.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getLedgerItem } from '../deployment/ledger-view.ts';
import { fileLedgerKey, type LedgerItem } from '../functions/order-processor/index.ts';
import type { BareLoopResult } from './bare-loop.ts';
import type { UploadedObject } from './events.ts';
import { benchClientConfig } from './setup.ts';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface Conservation {
  ok: boolean;
  checks: Check[];
}

export type LedgerSummary = Pick<LedgerItem, 'status' | 'rows' | 'written' | 'rejected' | 'blank' | 'duration_ms' | 'reason'>;

const conservation = (checks: Check[]): Conservation => ({ ok: checks.every((c) => c.ok), checks });

/** The file's ledger item, read from moto (consistent read). */
export async function ledgerOf(motoEndpoint: string, ingestionsTable: string, obj: UploadedObject): Promise<LedgerSummary | null> {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient(benchClientConfig(motoEndpoint)));
  try {
    const item = await getLedgerItem(doc, ingestionsTable, fileLedgerKey(obj));
    if (!item) return null;
    return { status: item.status, rows: item.rows, written: item.written, rejected: item.rejected, blank: item.blank, duration_ms: item.duration_ms, reason: item.reason ?? null };
  } finally {
    doc.destroy();
  }
}

export interface FileRunFacts {
  ledger: LedgerSummary | null;
  expectedRows: number;
  batchFailures: number;
  /** Items the server holds or answered for this run. */
  stored: number;
  /** Where `stored` was counted: "items in the orders table" or "items the instant table answered". */
  storedWhere: string;
  batchWriteCalls: number;
}

export function fileConservation(f: FileRunFacts): Conservation {
  const written = f.ledger?.written ?? NaN;
  const rejected = f.ledger?.rejected ?? NaN;
  return conservation([
    { name: 'no failed SQS record', ok: f.batchFailures === 0, detail: `${f.batchFailures} batch item failure(s)` },
    { name: 'ledger final', ok: f.ledger?.status === 'PROCESSED' || f.ledger?.status === 'PARTIAL', detail: `status ${f.ledger?.status ?? 'missing'}` },
    { name: 'rows = written + rejected', ok: f.ledger?.rows === written + rejected, detail: `${f.ledger?.rows} = ${written} + ${rejected}` },
    { name: 'rows = generated rows', ok: f.ledger?.rows === f.expectedRows, detail: `${f.ledger?.rows} vs ${f.expectedRows} generated` },
    { name: `${f.storedWhere} = written`, ok: f.stored === written, detail: `${f.stored} vs ${written} written` },
    { name: 'BatchWriteItem calls ≥ written / 25', ok: f.batchWriteCalls >= Math.ceil(written / 25), detail: `${f.batchWriteCalls} calls for ${written} items` },
  ]);
}

export function bareConservation(result: BareLoopResult, stored: number, storedWhere: string): Conservation {
  return conservation([
    { name: `${storedWhere} = items sent`, ok: stored === result.itemsSent, detail: `${stored} vs ${result.itemsSent} sent` },
    { name: 'no unprocessed items', ok: result.unprocessed === 0, detail: `${result.unprocessed} unprocessed` },
  ]);
}
