/**
 * The local runtime's state directory (.local/, or $ORDER_PIPELINE_HOME) and its files:
 * outputs.json (how every command finds the running pipeline), pids.json (what `local down`
 * stops), delivery.json (pause/resume), the alert outbox and the logs. It lives in deployment/
 * because finding and switching the local target (target.ts, delivery.ts) reads it, and
 * deployment/ never imports local/ (docs/architecture.md); local/ writes it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readJsonFile, writeJsonFile } from '../tooling/json-file.ts';
import { PROJECT_ROOT } from '../tooling/project.ts';
import { checkOutputs, normaliseOutputs, type StackOutputs } from '../tooling/stack-outputs.ts';

/** Where local state lives: $ORDER_PIPELINE_HOME, else <project>/.local. */
export function localHome(): string {
  return resolve(process.env.ORDER_PIPELINE_HOME ?? join(PROJECT_ROOT, '.local'));
}

export const localPaths = (home = localHome()) => ({
  home,
  outputs: join(home, 'outputs.json'),
  pids: join(home, 'pids.json'),
  delivery: join(home, 'delivery.json'),
  outbox: join(home, 'outbox'),
  logs: join(home, 'logs'),
  processorLog: join(home, 'logs', 'processor.log'),
  terraformLog: join(home, 'logs', 'terraform.log'),
  pollerLog: join(home, 'logs', 'poller.log'),
  cdktfOut: join(home, 'cdktf.out'),
});

export type LocalPaths = ReturnType<typeof localPaths>;

/** .local/outputs.json: the emulator endpoint, the region and every Terraform output. */
export interface LocalOutputs extends StackOutputs {
  endpoint: string;
  /** Extra local-only resources and processes. */
  alert_capture_queue_url?: string;
  stage?: string;
  [name: string]: unknown;
}

export function readLocalOutputs(home = localHome()): LocalOutputs | null {
  const file = localPaths(home).outputs;
  if (!existsSync(file)) return null;
  const flat = normaliseOutputs(JSON.parse(readFileSync(file, 'utf8')), file);
  checkOutputs(flat, file);
  if (typeof flat.endpoint !== 'string') throw new Error(`${file} lacks "endpoint"`);
  return flat as LocalOutputs;
}

export function writeLocalOutputs(file: string, outputs: LocalOutputs): void {
  writeJsonFile(file, outputs);
}

/** .local/pids.json: what `local down` stops. */
export interface LocalPids {
  endpoint: string;
  moto: number;
  poller?: number;
  started_at: string;
}

export function readPids(file: string): LocalPids | null {
  return readJsonFile<LocalPids>(file);
}

export function writePids(file: string, pids: LocalPids): void {
  writeJsonFile(file, pids);
}

/**
 * .local/delivery.json: whether the local poller delivers messages to the handler (`pause` and
 * `resume` on the local target), for every queue that feeds it alike.
 *
 * Why not the emulator's event-source mappings themselves: moto acts on an *enabled* SQS mapping
 * by receiving the queue's messages on every SendMessage and trying to run the function in Docker;
 * that fails here and bumps each message's receive count, walking healthy files to the DLQ. So
 * `local up` disables moto's copy of every mapping (the ingest queue's and the parts queue's)
 * right after the apply and keeps their logical state here, which the poller reads before every
 * receive.
 */
export interface DeliveryState {
  enabled: boolean;
  /** The mappings the state stands for: one per queue feeding the processor. */
  mappings: { queue: string; uuid: string; batch_size: number }[];
  changed_at: string;
  reason: string;
}

export function readDeliveryState(file: string): DeliveryState | null {
  return readJsonFile<DeliveryState>(file);
}

export function writeDeliveryState(file: string, state: DeliveryState): void {
  writeJsonFile(file, state);
}
