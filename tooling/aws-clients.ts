/**
 * The one AWS client configuration: the emulator endpoint with dummy credentials and path-style S3
 * locally, the standard credential chain on AWS. As SDK client options for our own clients, and as
 * environment variables for processes we start (the processor, Terraform's AWS provider).
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

// The SDK warns on every run that releases from 2027 need Node 22; the project supports Node 20 today.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** moto accepts any credentials; these say plainly that nothing real is used. */
export const EMULATOR_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing', sessionToken: 'testing' } as const;

export interface ClientOptions {
  region: string;
  /** The emulator's endpoint; absent for AWS. */
  endpoint?: string;
}

/** Options every SDK client accepts (S3 reads `forcePathStyle`; the others ignore it). */
export interface AwsClientConfig {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** The emulator serves buckets by path, not by virtual host. */
  forcePathStyle?: boolean;
}

export function clientConfig(options: ClientOptions): AwsClientConfig {
  if (!options.endpoint) return { region: options.region };
  return { region: options.region, endpoint: options.endpoint, credentials: { ...EMULATOR_CREDENTIALS }, forcePathStyle: true };
}

/** The same configuration as environment variables, for the SDK and Terraform in another process. */
export function emulatorEnv(endpoint: string, region = 'us-east-1'): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: EMULATOR_CREDENTIALS.sessionToken,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
  };
}

export interface Clients {
  s3: S3Client;
  sqs: SQSClient;
  ddb: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  lambda: LambdaClient;
  cloudwatch: CloudWatchClient;
  sns: SNSClient;
}

export function makeClients(options: ClientOptions): Clients {
  const config = clientConfig(options);
  const ddb = new DynamoDBClient(config);
  return {
    s3: new S3Client(config),
    sqs: new SQSClient(config),
    ddb,
    doc: DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } }),
    lambda: new LambdaClient(config),
    cloudwatch: new CloudWatchClient(config),
    sns: new SNSClient(config),
  };
}

/** Closes the clients' sockets (tests and scripts that create several sets). */
export function destroyClients(clients: Clients): void {
  for (const client of [clients.s3, clients.sqs, clients.ddb, clients.lambda, clients.cloudwatch, clients.sns]) client.destroy();
}
