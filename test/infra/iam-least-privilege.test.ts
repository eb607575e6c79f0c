/**
 * Walks every IAM policy in the synthesized stack and fails on a wildcard action or an unscoped
 * resource in any statement that grants something.
 *
 * Deliberate exceptions, each narrower than "anything goes":
 * - Deny statements (the TLS-only guards, the topic's "nobody else publishes") may use `*`
 *   principals and `s3:*` / `sqs:*` actions: a Deny only ever takes permissions away, so broad is
 *   safe there.
 * - In a KMS key policy the resource `"*"` means "this key" and is the only value KMS accepts;
 *   the actions in those statements are still listed one by one.
 * - Object-level resources may end in `/*` or `:*` after a reference to one concrete resource
 *   (e.g. `${bucket.arn}/raw-data/*`, `${log_group.arn}:log-stream:*`): scoped to that resource.
 */
import { describe, expect, it } from 'vitest';
import { synthPipeline, type SynthJson } from './synth.ts';

interface Statement {
  sid?: string;
  effect?: string;
  actions?: string[];
  not_actions?: string[];
  resources?: string[];
  not_resources?: string[];
  principals?: { type: string; identifiers: string[] }[];
}

const POLICY_ATTRIBUTES = ['policy', 'assume_role_policy'];
const DOCUMENT_REFERENCE = /^\$\{data\.aws_iam_policy_document\.([\w-]+)\.json\}$/;
/** `<reference to one resource>…/*` or `…:*`: everything inside that one resource. */
const SCOPED_WILDCARD = /^\$\{[^}]+\}[^*]*[/:]\*$/;

/** Every policy-bearing attribute of every resource: which document it uses, and for what. */
function policyUses(json: SynthJson): { where: string; document: string; isKeyPolicy: boolean }[] {
  const uses: { where: string; document: string; isKeyPolicy: boolean }[] = [];
  for (const [type, resources] of Object.entries(json.resource ?? {})) {
    for (const [name, body] of Object.entries(resources)) {
      for (const attribute of POLICY_ATTRIBUTES) {
        const value = body[attribute];
        if (value === undefined) continue;
        const where = `${type}.${name}.${attribute}`;
        const match = typeof value === 'string' ? DOCUMENT_REFERENCE.exec(value) : null;
        if (!match?.[1]) throw new Error(`${where} is not a data.aws_iam_policy_document reference, so it cannot be checked: ${String(value)}`);
        uses.push({ where, document: match[1], isKeyPolicy: type === 'aws_kms_key' });
      }
    }
  }
  return uses;
}

/** The problems with one statement of a policy document. */
function wildcardProblems(statement: Statement, isKeyPolicy: boolean): string[] {
  const problems: string[] = [];
  const effect = statement.effect ?? 'Allow';
  const label = statement.sid ?? JSON.stringify(statement.actions);
  if (effect === 'Deny') return problems;
  if (statement.not_actions || statement.not_resources) problems.push(`${label}: NotAction/NotResource in an Allow grants almost everything`);
  for (const action of statement.actions ?? []) {
    if (action.includes('*')) problems.push(`${label}: wildcard action ${action}`);
  }
  for (const principal of statement.principals ?? []) {
    if (principal.identifiers.includes('*')) problems.push(`${label}: Allow to principal "*"`);
  }
  if (!statement.resources && !statement.principals) problems.push(`${label}: no resource scope`);
  for (const resource of statement.resources ?? []) {
    if (resource === '*') {
      if (!isKeyPolicy) problems.push(`${label}: resource "*"`);
    } else if (resource.includes('*') && !SCOPED_WILDCARD.test(resource)) {
      problems.push(`${label}: unscoped wildcard resource ${resource}`);
    }
  }
  return problems;
}

describe('least privilege', () => {
  // Prepare: the whole stack with alert subscriptions
  const { json } = synthPipeline({ ALERT_EMAILS: 'ops@example.com' });
  const documents = json.data?.aws_iam_policy_document ?? {};
  const uses = policyUses(json);

  it('takes every role, bucket, queue, topic and key policy from a policy document', () => {
    // Assess: the role's trust and permissions, the bucket, the four queues, the alerts topic and its key
    expect(uses.map((u) => u.where.split('.')[0]).sort()).toEqual([
      'aws_iam_role',
      'aws_iam_role_policy',
      'aws_kms_key',
      'aws_s3_bucket_policy',
      'aws_sns_topic_policy',
      'aws_sqs_queue_policy',
      'aws_sqs_queue_policy',
      'aws_sqs_queue_policy',
      'aws_sqs_queue_policy',
    ]);
    expect(Object.keys(documents).sort()).toEqual([...new Set(uses.map((u) => u.document))].sort());
  });

  it('finds no Allow with a wildcard action or an unscoped resource in any statement', () => {
    // Act
    const problems = uses.flatMap(({ where, document, isKeyPolicy }) =>
      ((documents[document]?.statement ?? []) as Statement[]).flatMap((s) => wildcardProblems(s, isKeyPolicy).map((p) => `${where}: ${p}`)),
    );

    // Assess
    expect(problems).toEqual([]);
  });

  it('walks the statements of large files in parts: staging, sending and consuming parts', () => {
    // Act
    const walked = uses.flatMap(({ document }) => ((documents[document]?.statement ?? []) as Statement[]).map((s) => s.sid));

    // Assess
    expect(walked).toEqual(expect.arrayContaining(['UseStagingArea', 'SendParts', 'ConsumeQueues', 'RolesSendParts']));
  });

  it('reports each deliberately bad statement (the walker can fail)', () => {
    // Act
    const problems = [
      ...wildcardProblems({ sid: 'A', actions: ['s3:*'], resources: ['arn:aws:s3:::b/x'] }, false),
      ...wildcardProblems({ sid: 'B', actions: ['s3:GetObject'], resources: ['*'] }, false),
      ...wildcardProblems({ sid: 'C', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::*'] }, false),
      ...wildcardProblems({ sid: 'D', actions: ['sqs:SendMessage'], resources: ['${aws_sqs_queue.q.arn}'], principals: [{ type: '*', identifiers: ['*'] }] }, false),
      ...wildcardProblems({ sid: 'E', not_actions: ['iam:PassRole'], resources: ['${aws_iam_role.r.arn}'] }, false),
      ...wildcardProblems({ sid: 'F', effect: 'Deny', actions: ['s3:*'], resources: ['*'] }, false),
      ...wildcardProblems({ sid: 'G', actions: ['kms:Decrypt'], resources: ['*'] }, true),
      ...wildcardProblems({ sid: 'H', actions: ['s3:GetObject'], resources: ['${aws_s3_bucket.b.arn}/raw-data/*'] }, false),
    ];

    // Assess: F (a Deny), G (a key policy's "this key") and H (scoped prefix) are fine
    expect(problems.map((p) => p.split(':')[0])).toEqual(['A', 'B', 'C', 'D', 'E']);
  });
});
