/**
 * `pause` / `resume` as deployment/delivery.ts does them, against moto's Lambda and SQS: on AWS
 * both event-source mappings (ingest queue and parts queue) are switched together; locally the
 * delivery state stands for both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateEventSourceMappingCommand, CreateFunctionCommand, GetEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { Connection } from '../../../deployment/connect.ts';
import { deliveryState, setDelivery } from '../../../deployment/delivery.ts';
import type { Target } from '../../../deployment/target.ts';
import { localPaths, readDeliveryState } from '../../../deployment/local-home.ts';
import { destroyClients, makeClients, type Clients } from '../../../tooling/aws-clients.ts';
import type { StackOutputs } from '../../../tooling/stack-outputs.ts';
import { useScratchHomes } from '../../support/local-home.ts';
import { TEST_REGION, useMoto } from '../../support/moto.ts';

const moto = useMoto();
const homes = useScratchHomes('order-pipeline-delivery-');
let clients: Clients;
let outputs: StackOutputs;
const uuids: Record<string, string> = {};

/** An empty zip archive: moto stores the code without running it. */
const EMPTY_ZIP = new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);

/**
 * The function's execution role. Created over IAM's query API directly (the project has no IAM
 * client): moto refuses a function whose role does not exist.
 */
async function createRole(name: string): Promise<string> {
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  const body = new URLSearchParams({ Action: 'CreateRole', Version: '2010-05-08', RoleName: name, AssumeRolePolicyDocument: trust });
  const res = await fetch(`${moto.endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request' },
    body,
  });
  if (!res.ok) throw new Error(`CreateRole failed: ${res.status} ${await res.text()}`);
  return `arn:aws:iam::123456789012:role/${name}`;
}

async function aQueueWithMapping(name: string, functionArn: string, batchSize: number): Promise<{ url: string; dlqUrl: string; uuid: string }> {
  const dlqUrl = (await clients.sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl!;
  const url = (await clients.sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  const arn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const mapping = await clients.lambda.send(
    new CreateEventSourceMappingCommand({ FunctionName: functionArn, EventSourceArn: arn, BatchSize: batchSize, ScalingConfig: { MaximumConcurrency: 2 } }),
  );
  return { url, dlqUrl, uuid: mapping.UUID! };
}

beforeAll(async () => {
  clients = makeClients({ region: TEST_REGION, endpoint: moto.endpoint });
  const role = await createRole('delivery-test-processor');
  const fn = await clients.lambda.send(
    new CreateFunctionCommand({ FunctionName: 'delivery-test-processor', Runtime: 'nodejs22.x', Role: role, Handler: 'index.handler', Code: { ZipFile: EMPTY_ZIP } }),
  );
  const ingest = await aQueueWithMapping('delivery-test-ingest', fn.FunctionArn!, 5);
  const parts = await aQueueWithMapping('delivery-test-parts', fn.FunctionArn!, 1);
  uuids.ingest = ingest.uuid;
  uuids.parts = parts.uuid;
  outputs = {
    ingest_queue_url: ingest.url,
    dead_letter_queue_url: ingest.dlqUrl,
    parts_queue_url: parts.url,
    parts_dead_letter_queue_url: parts.dlqUrl,
    processor_function_name: 'delivery-test-processor',
    region: TEST_REGION,
  } as StackOutputs;
});

afterAll(() => {
  if (clients) destroyClients(clients);
});

/** A connection to the emulator, seen as an AWS deployment or as the local pipeline. */
function aConnection(kind: Target['kind'], stackOutputs: StackOutputs = outputs): Connection {
  return { target: { kind, outputs: stackOutputs, region: TEST_REGION, description: 'test' }, clients };
}

const mappingState = async (uuid: string) => (await clients.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State;

describe('setDelivery', () => {
  it('disables and enables the ingest and the parts mappings together on AWS', async () => {
    // Act
    const paused = await setDelivery(aConnection('aws'), false, 'test pause');
    const whilePaused = await deliveryState(aConnection('aws'));
    const pausedStates = [await mappingState(uuids.ingest!), await mappingState(uuids.parts!)];
    const resumed = await setDelivery(aConnection('aws'), true, 'test resume');

    // Assess
    expect(paused.mappings.map((m) => [m.feed.role, m.feed.mapping.uuid])).toEqual([
      ['ingest', uuids.ingest],
      ['parts', uuids.parts],
    ]);
    expect(pausedStates).toEqual(['Disabled', 'Disabled']);
    expect(whilePaused.enabled).toBe(false);
    expect(whilePaused.detail).toContain(`event-source mapping ${uuids.parts} (parts queue) is Disabled`);
    expect(resumed.mappings.map((m) => m.now)).toEqual(['Enabled', 'Enabled']);
    expect((await deliveryState(aConnection('aws'))).enabled).toBe(true);
  });

  it('records locally one state standing for both mappings, leaving the emulator\'s mappings alone', async () => {
    // Prepare
    process.env.ORDER_PIPELINE_HOME = homes.make();

    // Act
    const change = await setDelivery(aConnection('local'), false, 'order-pipeline pause');

    // Assess
    expect(change).toMatchObject({ was: 'enabled', now: 'paused', pollerRunning: false });
    expect(readDeliveryState(localPaths().delivery)).toMatchObject({
      enabled: false,
      reason: 'order-pipeline pause',
      mappings: [
        { queue: 'ingest', uuid: uuids.ingest, batch_size: 5 },
        { queue: 'parts', uuid: uuids.parts, batch_size: 1 },
      ],
    });
    expect(await mappingState(uuids.parts!)).toBe('Enabled');
    expect((await deliveryState(aConnection('local'))).enabled).toBe(false);
  });
});
