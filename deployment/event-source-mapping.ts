/** The processor's SQS event-source mapping and function configuration, read from Lambda. */
import {
  GetFunctionConfigurationCommand,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
  type EventSourceMappingConfiguration,
  type LambdaClient,
} from '@aws-sdk/client-lambda';

export interface MappingInfo {
  uuid: string;
  batchSize: number;
  enabled: boolean;
  state: string;
  maximumConcurrency?: number;
  reportsBatchItemFailures: boolean;
  eventSourceArn: string;
}

function toInfo(m: EventSourceMappingConfiguration): MappingInfo {
  const state = m.State ?? 'Unknown';
  return {
    uuid: m.UUID ?? '',
    batchSize: m.BatchSize ?? 10,
    // Lambda reports transitions too (Enabling, Disabling, Updating…): only these two are settled.
    enabled: state === 'Enabled' || state === 'Enabling',
    state,
    ...(m.ScalingConfig?.MaximumConcurrency ? { maximumConcurrency: m.ScalingConfig.MaximumConcurrency } : {}),
    reportsBatchItemFailures: (m.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
    eventSourceArn: m.EventSourceArn ?? '',
  };
}

/**
 * The mapping from `queueArn` to the function; fails clearly when there is none. Listed by event
 * source: moto filters `FunctionName` by the exact string the mapping was created with (Terraform
 * passes the ARN), so a name would find nothing there.
 */
export async function findMapping(lambda: LambdaClient, functionName: string, queueArn: string): Promise<MappingInfo> {
  const out = await lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: queueArn }));
  const all = out.EventSourceMappings ?? [];
  const isOurs = (m: EventSourceMappingConfiguration) =>
    m.FunctionArn === functionName || (m.FunctionArn ?? '').split(':')[6] === functionName;
  const mapping = all.find(isOurs);
  if (!mapping) {
    throw new Error(`function ${functionName} has no event-source mapping from ${queueArn} (that queue has ${all.length} mapping(s))`);
  }
  return toInfo(mapping);
}

export async function setMappingEnabled(lambda: LambdaClient, uuid: string, enabled: boolean): Promise<MappingInfo> {
  const out = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: enabled }));
  return toInfo(out);
}

export interface FunctionDetails {
  functionName: string;
  functionArn: string;
  version: string;
  memoryMb: number;
  timeoutSeconds: number;
  environment: Record<string, string>;
  runtime: string;
  handler: string;
}

export async function getFunctionDetails(lambda: LambdaClient, functionName: string): Promise<FunctionDetails> {
  const fn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  return {
    functionName: fn.FunctionName ?? functionName,
    functionArn: fn.FunctionArn ?? functionName,
    version: fn.Version ?? '$LATEST',
    memoryMb: fn.MemorySize ?? 128,
    timeoutSeconds: fn.Timeout ?? 3,
    environment: fn.Environment?.Variables ?? {},
    runtime: fn.Runtime ?? '',
    handler: fn.Handler ?? '',
  };
}
