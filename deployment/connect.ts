/**
 * AWS SDK clients for a target: the emulator endpoint with dummy credentials locally, the standard
 * credential chain on AWS. Commands get everything they need from `connect()`.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { err } from '../cli/render/terminal.ts';
import { assertReachable, resolveTarget, type Target } from './target.ts';

// The SDK warns on every run that releases from 2027 need Node 22; the CLI supports Node 20 today.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface Clients {
  s3: S3Client;
  sqs: SQSClient;
  ddb: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  lambda: LambdaClient;
  cloudwatch: CloudWatchClient;
  sns: SNSClient;
}

export interface ClientOptions {
  region: string;
  endpoint?: string;
}

export function clientConfig(options: ClientOptions) {
  if (!options.endpoint) return { region: options.region };
  return {
    region: options.region,
    endpoint: options.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing', sessionToken: 'testing' },
  };
}

export function makeClients(options: ClientOptions): Clients {
  const config = clientConfig(options);
  const ddb = new DynamoDBClient(config);
  return {
    s3: new S3Client({ ...config, forcePathStyle: Boolean(options.endpoint) }),
    sqs: new SQSClient(config),
    ddb,
    doc: DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } }),
    lambda: new LambdaClient(config),
    cloudwatch: new CloudWatchClient(config),
    sns: new SNSClient(config),
  };
}

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

/**
 * Resolves the target, says on stderr which one is used (unless quiet), checks that it answers,
 * and returns clients for it.
 */
export async function connect(values: { target?: string; outputs?: string }, options: { quiet?: boolean } = {}): Promise<Connection> {
  const target = await resolveTarget(values);
  if (!options.quiet) err(`target: ${target.description}`);
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
