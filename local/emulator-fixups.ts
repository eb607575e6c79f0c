/**
 * Where moto cannot evaluate what the real stack declares, the local runtime adjusts the
 * emulator's copy after the apply — never the stack itself (docs/local.md, "Where the emulator
 * differs"). Each fix-up says why.
 */
import { DeleteBucketPolicyCommand, GetBucketPolicyCommand, PutBucketPolicyCommand, type S3Client } from '@aws-sdk/client-s3';

interface Statement {
  Effect?: string;
  Condition?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

/** True for a Deny statement conditioned on aws:SecureTransport (the TLS-only rule). */
export function isTlsOnlyDeny(statement: Statement): boolean {
  if (statement.Effect !== 'Deny' || !statement.Condition) return false;
  return Object.values(statement.Condition).some((byKey) => Object.keys(byKey).some((k) => k.toLowerCase() === 'aws:securetransport'));
}

/** The policy without its TLS-only Deny statements, or null when nothing would remain. */
export function withoutTlsOnlyDeny(policy: { Statement?: Statement[] | Statement; [k: string]: unknown }): typeof policy | null {
  const statements = Array.isArray(policy.Statement) ? policy.Statement : policy.Statement ? [policy.Statement] : [];
  const kept = statements.filter((s) => !isTlsOnlyDeny(s));
  if (kept.length === 0) return null;
  return { ...policy, Statement: kept };
}

/**
 * moto ignores condition operators other than StringEquals, so the bucket's "deny unless
 * aws:SecureTransport" statement denies every request to the plain-HTTP emulator, the processor's
 * included. Removes that statement from the emulator's bucket policy; returns whether it did.
 */
export async function relaxTlsOnlyBucketPolicy(s3: S3Client, bucket: string): Promise<boolean> {
  let text: string | undefined;
  try {
    text = (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy;
  } catch {
    return false;
  }
  if (!text) return false;
  const policy = JSON.parse(text) as { Statement?: Statement[] | Statement };
  const relaxed = withoutTlsOnlyDeny(policy);
  const before = Array.isArray(policy.Statement) ? policy.Statement.length : policy.Statement ? 1 : 0;
  if (relaxed && (relaxed.Statement as Statement[]).length === before) return false;
  if (relaxed) await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(relaxed) }));
  else await s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
  return true;
}
