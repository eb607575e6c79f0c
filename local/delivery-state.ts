/**
 * Whether the local poller delivers messages to the handler (`pause`/`resume` on the local target).
 *
 * Why not the emulator's event-source mapping itself: moto acts on an *enabled* SQS mapping by
 * receiving the queue's messages on every SendMessage and trying to run the function in Docker;
 * that fails here and bumps each message's receive count, walking healthy files to the DLQ. So
 * `local up` disables moto's copy of the mapping right after the apply and keeps the mapping's
 * logical state in .local/delivery.json, which the poller reads before every receive.
 */
import { readJsonFile, writeJsonFile } from '../tooling/json-file.ts';

export interface DeliveryState {
  enabled: boolean;
  /** The mapping the state stands for. */
  mapping_uuid: string;
  batch_size: number;
  changed_at: string;
  reason: string;
}

export function readDeliveryState(file: string): DeliveryState | null {
  return readJsonFile<DeliveryState>(file);
}

export function writeDeliveryState(file: string, state: DeliveryState): void {
  writeJsonFile(file, state);
}
