/**
 * Runs the real handler on one message in a process of its own and dies (SIGKILL, no cleanup, as
 * a Lambda that runs out of memory or is stopped) right after DynamoDB confirms the Nth request of
 * one kind: a BatchWriteItem by default, or CRASH_ON_COMMAND (a conditional PutItem of an order
 * line, a DeleteItem of a stale line). Used by crash.test.ts; run with `node --import tsx crash-driver.ts`.
 *
 * Environment: the emulator's AWS_* variables and the processor's own (resource-names.ts ENV), plus
 * EVENT_BODY (the SQS message body), CRASH_AFTER_BATCHES (requests), CRASH_ON_COMMAND (the SDK
 * command's name, default BatchWriteItemCommand), and LAMBDA_TIMEOUT_SECONDS (the
 * invocation's remaining time, which sets how long the claim's lease lasts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readOrders } from '../../../functions/order-processor/contract/reader.ts';
import { configFromEnv, createSqsHandler } from '../../../functions/order-processor/runtime.ts';
import { lambdaContext, toSqsEvent } from '../../../tooling/lambda-events.ts';

const crashAfter = Number(process.env.CRASH_AFTER_BATCHES);
const crashOn = process.env.CRASH_ON_COMMAND ?? 'BatchWriteItemCommand';
const body = process.env.EVENT_BODY ?? '';

const ddb = new DynamoDBClient({});
let confirmed = 0;
ddb.middlewareStack.add(
  (next, context) => async (args) => {
    const result = await next(args);
    if (context.commandName === crashOn && ++confirmed >= crashAfter) process.kill(process.pid, 'SIGKILL');
    return result;
  },
  { step: 'initialize', name: 'dieAfterBatches' },
);

const handler = createSqsHandler(() => ({
  s3: new S3Client({ forcePathStyle: true }),
  doc: DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } }),
  sns: new SNSClient({}),
  sqs: new SQSClient({}),
  // One batch in flight: the process dies with exactly CRASH_AFTER_BATCHES batches written.
  config: { ...configFromEnv(), writeConcurrency: 1 },
  readOrders,
}));

const event = toSqsEvent([{ MessageId: 'crash-driver-1', ReceiptHandle: 'r', Body: body }], { arn: 'arn:aws:sqs:us-east-1:123456789012:ingest', region: 'us-east-1' });
const context = lambdaContext({ functionName: 'crash-driver', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:crash-driver', timeoutSeconds: Number(process.env.LAMBDA_TIMEOUT_SECONDS ?? 60) });
const response = await handler(event, context);
// Reaching this line means the crash did not happen: the test fails on the exit code.
process.stderr.write(`completed without crashing: ${JSON.stringify(response)}\n`);
process.exit(3);
