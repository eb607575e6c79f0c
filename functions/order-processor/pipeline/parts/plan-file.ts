/**
 * PLAN, in the ingest invocation that claimed a large file: where its parts lie, then one scan
 * message per part. A gzip file is first decompressed into one staging object (gzip cannot be
 * read from the middle), which its parts then read. Nothing of the file is judged here beyond
 * what planning needs (its header): a file the plan rejects is rejected exactly as a whole read
 * would reject it, and a gzip file that cannot be decompressed within the caps is handed back to
 * the whole-file path, whose first pass gives the exact verdict.
 */
import { decompressedBytes, GZIP_MAGIC } from '../../contract/input.ts';
import { DEFAULT_LIMITS, MB } from '../../contract/limits.ts';
import { planParts, type RangeReader } from '../../contract/parts.ts';
import { FileRejectedError } from '../../contract/types.ts';
import type { ObjectRef } from '../../event.ts';
import type { Attempt } from '../claim.ts';
import { OBJECT_GONE, type Verdict } from '../decide.ts';
import { LedgerConflictError, ObjectGoneError } from '../errors.ts';
import type { ObjectStore, ProcessorPorts } from '../ports.ts';
import { HashingSource } from '../scan.ts';
import { sendPhase } from './file-in-parts.ts';
import { stagingKeys, writeStaged, type StoredPlan } from './staging.ts';

export type Planning =
  /** The scan messages are out: the parts take the file on. */
  | { kind: 'planned'; parts: number }
  /** Read it whole: one part only, or a gzip file that does not decompress within the caps. */
  | { kind: 'whole'; why: string }
  /** Decided by planning: rejected before its first data row (header, encoding), or gone. */
  | { kind: 'verdict'; verdict: Verdict };

/** Ranged reads planning and parts read bytes through. */
const PLAN_CONCURRENCY = 8;

/** Bytes [start, end) of one object version; a version that is gone throws ObjectGoneError. */
export function rangeReader(objects: ObjectStore, source: ObjectRef): RangeReader {
  return (start, end) => ({
    async *[Symbol.asyncIterator]() {
      const body = await objects.open(source, { start, end });
      if (!body) throw new ObjectGoneError(`s3://${source.bucket}/${source.key} (the version being read) no longer exists`);
      try {
        yield* body;
      } finally {
        body.destroy();
      }
    },
  });
}

async function startsWithGzipMagic(objects: ObjectStore, ref: ObjectRef): Promise<boolean> {
  const head: number[] = [];
  for await (const chunk of rangeReader(objects, ref)(0, Math.min(GZIP_MAGIC.length, ref.size))) head.push(...chunk);
  return GZIP_MAGIC.every((b, i) => head[i] === b);
}

export interface PlanOptions {
  /** Known to be gzip (it inflated past the threshold while read): its first bytes need not be read again. */
  gzip?: boolean;
}

export async function planFile(attempt: Attempt, ports: ProcessorPorts, options: PlanOptions = {}): Promise<Planning> {
  const { ref, pk, attemptId } = attempt;
  if (!(await ports.ledger.updatePhase(pk, attemptId, { phase: null }, { phase: 'PLAN' }))) {
    throw new LedgerConflictError(`ledger item ${pk} was taken over before it could be planned`);
  }
  let source: ObjectRef = ref;
  let originalFingerprint: string | null = null;
  try {
    if (options.gzip || (ref.size >= GZIP_MAGIC.length && (await startsWithGzipMagic(ports.objects, ref)))) {
      const staged = await stageDecompressed(attempt, ports);
      if (staged.kind !== 'staged') return await backOut(attempt, staged, ports);
      ({ source, fingerprint: originalFingerprint } = staged);
    }
    const plan = await planParts(rangeReader(ports.objects, source), source.size, {
      chunkBytes: ports.parts.chunkBytes,
      concurrency: PLAN_CONCURRENCY,
      limits: attempt.contract.limits ?? DEFAULT_LIMITS,
      ...(attempt.contract.schema ? { schema: attempt.contract.schema } : {}),
    });
    if (plan.parts.length < 2) return await backOut(attempt, { kind: 'whole', why: 'the file makes a single part' }, ports);
    const keys = stagingKeys(attempt.ingestionId);
    const stored: StoredPlan = { planId: attemptId, source, originalFingerprint, now: attempt.contract.now.toISOString(), plan };
    await writeStaged(ports.objects, ref.bucket, keys.plan, stored);
    const parts = plan.parts.length;
    const entered = await ports.ledger.updatePhase(pk, attemptId, { phase: 'PLAN' }, { phase: 'SCAN', plan_id: attemptId, parts, parts_done: 0 });
    if (!entered) throw new LedgerConflictError(`ledger item ${pk} was taken over while it was being planned`);
    ports.log.info('File planned in parts', { parts, bytes: plan.size, gzip: source !== ref, chunk_bytes: ports.parts.chunkBytes });
    const item = await ports.ledger.get(pk);
    if (!item) throw new Error(`ledger item ${pk} vanished while it was being planned`);
    await sendPhase(item, 'SCAN', ports);
    return { kind: 'planned', parts };
  } catch (error) {
    if (error instanceof FileRejectedError) {
      return backOut(attempt, { kind: 'verdict', verdict: { kind: 'reject', status: 'FAILED', reason: error.reason, line: error.line ?? 1, duplicateOf: null } }, ports);
    }
    if (error instanceof ObjectGoneError && source === ref) return backOut(attempt, { kind: 'verdict', verdict: OBJECT_GONE }, ports);
    throw error;
  }
}

/** The file is not processed in parts after all: it is no longer in PLAN, and its staging copy goes. */
async function backOut(attempt: Attempt, planning: Exclude<Planning, { kind: 'planned' }>, ports: ProcessorPorts): Promise<Planning> {
  if (!(await ports.ledger.updatePhase(attempt.pk, attempt.attemptId, { phase: 'PLAN' }, {}, ['phase']))) {
    throw new LedgerConflictError(`ledger item ${attempt.pk} was taken over while it was being planned`);
  }
  if (planning.kind === 'whole') ports.log.info('File read whole after all', { why: planning.why });
  await ports.objects.removeAll(attempt.ref.bucket, stagingKeys(attempt.ingestionId).prefix);
  return planning;
}

type Staged = { kind: 'staged'; source: ObjectRef; fingerprint: string } | Exclude<Planning, { kind: 'planned' }>;

/**
 * Decompresses the gzip original into `staging/<id>/input.csv` (a streamed multipart upload),
 * hashing the original's bytes on the way: a split gzip file's fingerprint is then its own, as
 * when it is read whole. Not valid gzip, a mistaken file type, or over MAX_FILE_MB once
 * decompressed: the whole-file path decides (the same reader gives the same reason).
 */
async function stageDecompressed(attempt: Attempt, ports: ProcessorPorts): Promise<Staged> {
  const { ref } = attempt;
  const body = await ports.objects.open(ref);
  if (!body) return { kind: 'verdict', verdict: OBJECT_GONE };
  const original = new HashingSource(body);
  const maxBytes = (attempt.contract.limits ?? DEFAULT_LIMITS).maxFileMb * MB;
  let problem: string | null = null;
  let total = 0;
  async function* decompressed(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of decompressedBytes(original, true)) {
        total += chunk.length;
        if (total > maxBytes) throw new Error('over MAX_FILE_MB once decompressed');
        yield chunk;
      }
    } catch (error) {
      // Remembered here: the upload may wrap what its body stream threw.
      if (error instanceof FileRejectedError) problem = error.reason;
      else if (total > maxBytes) problem = 'the file is over MAX_FILE_MB once decompressed';
      throw error;
    }
  }
  try {
    const stored = await ports.objects.uploadBytes(ref.bucket, stagingKeys(attempt.ingestionId).input, decompressed());
    const fingerprint = await original.finish();
    const source: ObjectRef = { bucket: ref.bucket, key: stored.key, versionId: null, etag: stored.etag, size: stored.size, eventTime: ref.eventTime };
    ports.log.info('Decompressed the gzip file for its parts', { compressed_bytes: ref.size, bytes: stored.size });
    return { kind: 'staged', source, fingerprint };
  } catch (error) {
    if (problem !== null) return { kind: 'whole', why: `gzip: ${problem}` };
    throw error;
  } finally {
    body.destroy();
  }
}
