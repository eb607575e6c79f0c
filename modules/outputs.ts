/**
 * The stack's Terraform outputs: declared by modules/stack.ts, read by tooling/terraform.ts and the
 * CLI. Kept free of CDKTF imports so the CLI can use it without loading the provider bindings.
 */
export const OUTPUT_NAMES = [
  'bucket_name',
  'orders_table_name',
  'ingestions_table_name',
  'alerts_topic_arn',
  'ingest_queue_url',
  'dead_letter_queue_url',
  'parts_queue_url',
  'parts_dead_letter_queue_url',
  'processor_function_name',
  'dashboard_name',
  'region',
] as const;
export type OutputName = (typeof OUTPUT_NAMES)[number];

/** The stack's Terraform outputs, by name. */
export interface StackOutputs {
  bucket_name: string;
  orders_table_name: string;
  ingestions_table_name: string;
  alerts_topic_arn: string;
  ingest_queue_url: string;
  /** The ingest queue's DLQ. */
  dead_letter_queue_url: string;
  /** The queue of large files' parts, and its DLQ. */
  parts_queue_url: string;
  parts_dead_letter_queue_url: string;
  processor_function_name: string;
  dashboard_name: string;
  region: string;
}
