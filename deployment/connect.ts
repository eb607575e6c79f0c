/**
 * Connecting to a target: SDK clients for it (tooling/aws-clients.ts), after checking that it
 * answers and holds the stack, with a message saying what to do when it does not.
 */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { makeClients, type Clients } from '../tooling/aws-clients.ts';
import { assertReachable, type Target } from './target.ts';

export function clientsFor(target: Target): Clients {
  return makeClients({ region: target.region, ...(target.endpoint ? { endpoint: target.endpoint } : {}) });
}

function awsProblem(error: unknown): string {
  const e = error as { name?: string; message?: string };
  if (e?.name === 'CredentialsProviderError' || /credential/i.test(e?.message ?? '')) {
    return `no usable AWS credentials (${e.message}). Configure the standard chain: AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, SSO or an instance role.`;
  }
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`;
}

export interface Connection {
  target: Target;
  clients: Clients;
}

/** Checks that the target answers and has its ingest queue, and returns clients for it. */
export async function connect(target: Target): Promise<Connection> {
  await assertReachable(target);
  const clients = clientsFor(target);
  try {
    await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: target.outputs.ingest_queue_url, AttributeNames: ['QueueArn'] }));
  } catch (error) {
    if (target.kind === 'local') {
      throw new Error(
        `the emulator on ${target.endpoint} answers but has no ingest queue ${target.outputs.ingest_queue_url} — ` +
          'it was restarted without the stack; run `order-pipeline local up` again',
      );
    }
    throw new Error(`cannot reach the AWS deployment in ${target.region}: ${awsProblem(error)}`);
  }
  return { target, clients };
}

/** The queue's ARN (for event-source ARNs and redrive). */
export async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const arn = out.Attributes?.QueueArn;
  if (!arn) throw new Error(`queue ${queueUrl} has no ARN`);
  return arn;
}
