/**
 * `local up` as a library (used by `local`, `demo` and the e2e test): the moto emulator on
 * loopback, the real synthesized stack applied into it (with the settings of the environment,
 * stack-env.ts), an SQS queue capturing the alerts topic, .local/outputs.json, and the poller that
 * plays Lambda's event-source mappings (the ingest queue's and the parts queue's).
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { queueArn } from '../deployment/connect.ts';
import { DEFAULT_SCHEMA_FILE, ORDER_SCHEMA_ENV, orderSchemaFor } from '../functions/order-processor/index.ts';
import { deliveryRecord } from '../deployment/delivery.ts';
import { getFunctionDetails, setMappingEnabled, type FunctionDetails } from '../deployment/event-source-mapping.ts';
import { queueFeeds, type QueueFeed } from '../deployment/processor-queues.ts';
import { makeClients, type Clients } from '../tooling/aws-clients.ts';
import { isAlive, startMoto, stopProcess, type MotoServer } from '../tooling/emulator.ts';
import type { StackOutputs } from '../tooling/stack-outputs.ts';
import { processorAssetDir } from '../tooling/project.ts';
import { deployStack, TerraformProgress } from '../tooling/terraform.ts';
import { relaxTlsOnlyBucketPolicy } from './emulator-fixups.ts';
import {
  localPaths,
  readLocalOutputs,
  readPids,
  writeDeliveryState,
  writeLocalOutputs,
  writePids,
  type LocalOutputs,
  type LocalPaths,
} from '../deployment/local-home.ts';
import { LocalPoller, type PollerEvent } from './poller.ts';
import { LOCAL_REGION, LOCAL_STAGE, localStackEnv } from './stack-env.ts';

export const CAPTURE_QUEUE_NAME = 'order-pipeline-local-alert-capture';

export interface LocalUpOptions {
  home?: string;
  port?: number;
  /** moto outlives this process (`local up --detach`). */
  detached?: boolean;
  /** Progress lines (terraform, steps); `transient` ones may be redrawn in place on a terminal. */
  onProgress: (line: string, transient?: boolean) => void;
  /** Extra configuration for the stack (e.g. ALERT_EMAILS), over the settings of the environment. */
  stackEnv?: Record<string, string>;
  /** Where the settings come from (default: this process's environment). */
  baseEnv?: Record<string, string | undefined>;
}

export interface LocalStack {
  outputs: LocalOutputs;
  clients: Clients;
  moto: MotoServer;
  /** The queues feeding the processor with their mappings: the ingest queue, then the parts queue when deployed. */
  feeds: QueueFeed[];
  fn: FunctionDetails;
  paths: LocalPaths;
  timings: { motoMs: number; applyMs: number };
}

/** Refuses to start a second pipeline on the same home; clears what a dead one left. */
function prepareHome(paths: LocalPaths): void {
  const pids = readPids(paths.pids);
  if (pids && isAlive(pids.moto)) {
    throw new Error(
      `a local pipeline is already running (emulator ${pids.endpoint}, pid ${pids.moto}) — ` +
        'use it, or stop it with `order-pipeline local down`',
    );
  }
  // A fresh emulator starts empty: old outputs, alerts and logs would describe nothing.
  for (const p of [paths.outputs, paths.pids, paths.delivery, paths.outbox, paths.logs]) rmSync(p, { recursive: true, force: true });
  // Terraform state of an earlier run describes resources of an emulator that is gone; the
  // providers in .terraform/ stay, so init is quick.
  const stacks = join(paths.cdktfOut, 'stacks');
  if (existsSync(stacks)) {
    for (const stack of readdirSync(stacks)) {
      for (const file of ['terraform.tfstate', 'terraform.tfstate.backup']) rmSync(join(stacks, stack, file), { force: true });
    }
  }
  mkdirSync(paths.logs, { recursive: true });
  mkdirSync(paths.outbox, { recursive: true });
}

/** The queues feeding the processor with their event-source mappings, and the function, as deployed. */
async function readWiring(clients: Clients, outputs: StackOutputs): Promise<Pick<LocalStack, 'feeds' | 'fn'>> {
  const feeds = await queueFeeds(clients, outputs);
  const fn = await getFunctionDetails(clients.lambda, outputs.processor_function_name);
  return { feeds, fn };
}

export async function localUp(options: LocalUpOptions): Promise<LocalStack> {
  // A broken schema stops here, before anything starts (SchemaFileError names the file and the place).
  const schema = orderSchemaFor(undefined, options.baseEnv ?? process.env);
  const paths = localPaths(options.home);
  prepareHome(paths);
  const say = options.onProgress;
  const { name, version, fingerprint } = schema.schema.identity;
  say(`schema: "${name}" version ${version} (fingerprint ${fingerprint}) from ${schema.file}`);
  // Synth runs in the project's directory: a schema file given relative to here is passed absolute.
  const schemaEnv: Record<string, string> = schema.file === DEFAULT_SCHEMA_FILE ? {} : { [ORDER_SCHEMA_ENV]: resolve(schema.file) };

  const t0 = Date.now();
  const moto = await startMoto({ ...(options.port ? { port: options.port } : {}), detached: options.detached ?? false });
  const motoMs = Date.now() - t0;
  say(`emulator: moto listening on ${moto.endpoint} (pid ${moto.pid})`);
  writePids(paths.pids, { endpoint: moto.endpoint, moto: moto.pid, started_at: new Date().toISOString() });

  try {
    const settings = localStackEnv(options.baseEnv ?? process.env, moto.endpoint, { ...schemaEnv, ...options.stackEnv });
    const passed = Object.entries(settings.passed).map(([name, value]) => `${name}=${value}`);
    if (passed.length > 0) say(`settings: ${passed.join(', ')} (from the environment; docs/deploy.md)`);
    for (const i of settings.ignored) say(`settings: not used locally: ${i.name}=${i.value} (${i.why})`);
    const t1 = Date.now();
    say(`terraform: synthesizing and applying the stack (stage "${LOCAL_STAGE}") into the emulator — about a minute`);
    const progress = new TerraformProgress();
    let deployed;
    try {
      deployed = await deployStack({
        env: settings.env,
        outDir: paths.cdktfOut,
        onLine: (line) => {
          appendFileSync(paths.terraformLog, line.endsWith('\n') ? line : line + '\n');
          const shown = progress.line(line);
          if (shown) say(shown, /^terraform: \d+\//.test(shown));
        },
      });
    } catch (e) {
      const detail = progress.errors.length > 0 ? `\n  ${progress.errors.slice(0, 12).join('\n  ')}` : '';
      throw new Error(`terraform apply into the emulator failed: ${(e as Error).message}${detail}\n  (full log: ${paths.terraformLog})`);
    }
    const applyMs = Date.now() - t1;
    say(`terraform: applied in ${(applyMs / 1000).toFixed(1)} s (log: ${paths.terraformLog})`);

    const clients = makeClients({ region: LOCAL_REGION, endpoint: moto.endpoint });
    const outputs0 = deployed.outputs;

    if (await relaxTlsOnlyBucketPolicy(clients.s3, outputs0.bucket_name)) {
      say('emulator: removed the TLS-only Deny from the emulator\'s bucket policy (moto cannot evaluate aws:SecureTransport and would deny every request over plain HTTP)');
    }

    // Alert capture: SNS sends no e-mail here; an SQS subscriber sees exactly what was published.
    const capture = await clients.sqs.send(new CreateQueueCommand({ QueueName: CAPTURE_QUEUE_NAME }));
    const captureUrl = capture.QueueUrl!;
    const captureArn = await queueArn(clients.sqs, captureUrl);
    await clients.sns.send(new SubscribeCommand({ TopicArn: outputs0.alerts_topic_arn, Protocol: 'sqs', Endpoint: captureArn }));
    say(`alerts: captured from ${outputs0.alerts_topic_arn} into ${paths.outbox}`);

    const wiring = await readWiring(clients, outputs0);
    const { feeds } = wiring;
    // See deployment/local-home.ts (delivery state): moto would act on an enabled mapping itself (via Docker), so
    // every one is disabled in the emulator; the poller plays them.
    for (const feed of feeds) await setMappingEnabled(clients.lambda, feed.mapping.uuid, false);
    writeDeliveryState(paths.delivery, deliveryRecord(feeds, feeds.every((f) => f.mapping.enabled), 'as deployed'));

    const outputs: LocalOutputs = {
      endpoint: moto.endpoint,
      ...outputs0,
      region: outputs0.region || LOCAL_REGION,
      stage: LOCAL_STAGE,
      alert_capture_queue_url: captureUrl,
      ...Object.fromEntries(feeds.map((f) => [f.role === 'ingest' ? 'event_source_mapping_uuid' : `${f.role}_event_source_mapping_uuid`, f.mapping.uuid])),
      stack_dir: deployed.stackDir,
    };
    writeLocalOutputs(paths.outputs, outputs);
    say(`outputs: ${paths.outputs}`);
    return { outputs, clients, moto, ...wiring, paths, timings: { motoMs, applyMs } };
  } catch (e) {
    await moto.stop();
    rmSync(paths.pids, { force: true });
    throw e;
  }
}

/** What the poller needs of a stack that is up (from `localUp`, or re-read by `attachLocal`). */
export type RunningStack = Pick<LocalStack, 'outputs' | 'clients' | 'feeds' | 'fn' | 'paths'>;

/** Re-reads a running local stack from .local/outputs.json (the detached poller process). */
export async function attachLocal(home?: string): Promise<RunningStack> {
  const paths = localPaths(home);
  const outputs = readLocalOutputs(home);
  if (!outputs) throw new Error(`${paths.outputs} does not exist — start the pipeline with \`order-pipeline local up\``);
  const clients = makeClients({ region: outputs.region, endpoint: outputs.endpoint });
  return { outputs, clients, ...(await readWiring(clients, outputs)), paths };
}

/** Starts the poller for a stack that is up. */
export async function startPoller(
  stack: RunningStack,
  options: { verbose?: boolean; onEvent: (e: PollerEvent) => void; waitSeconds?: number },
): Promise<LocalPoller> {
  const poller = new LocalPoller({
    clients: stack.clients,
    outputs: stack.outputs,
    feeds: stack.feeds,
    fn: stack.fn,
    deliveryFile: stack.paths.delivery,
    outboxDir: stack.paths.outbox,
    processorLog: stack.paths.processorLog,
    // Lambda's task root: the function's code as synth assembled it, the order schema included.
    taskRoot: processorAssetDir(stack.paths.cdktfOut),
    onEvent: options.onEvent,
    ...(options.verbose !== undefined ? { verbose: options.verbose } : {}),
    ...(options.waitSeconds !== undefined ? { waitSeconds: options.waitSeconds } : {}),
  });
  await poller.start();
  return poller;
}

/** Stops what `local up` started and forgets it (keeps outbox and logs for reading afterwards). */
export async function localDown(home?: string): Promise<{ stopped: string[] }> {
  const paths = localPaths(home);
  const pids = readPids(paths.pids);
  const stopped: string[] = [];
  if (pids?.poller && pids.poller !== process.pid && isAlive(pids.poller)) {
    await stopProcess(pids.poller, 8000);
    stopped.push(`poller (pid ${pids.poller})`);
  }
  if (pids?.moto && isAlive(pids.moto)) {
    await stopProcess(pids.moto);
    stopped.push(`emulator ${pids.endpoint} (pid ${pids.moto})`);
  }
  rmSync(paths.pids, { force: true });
  rmSync(paths.outputs, { force: true });
  return { stopped };
}
