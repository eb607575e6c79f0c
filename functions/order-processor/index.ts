/**
 * The processor's public entry: what the CLI, the local runtime, scripts, the benchmark and the
 * tests may use without reaching into its internals. Each rule has one home, here re-exported:
 * ledger keys and statuses, destination naming and its inverse, the CSV contract for `validate`,
 * message decoding, the one escaper for text a person reads, and the names the infrastructure
 * shares with the function.
 */
export { contentLedgerKey, fileLedgerKey, FINAL_STATUSES, isFinalStatus, FILE_PHASES, type FinalStatus, type LedgerItem, type FilePhase } from './ledger-item.ts';
export { destinationKeys, encodeCopySource, routedOriginal, s3Uri, type DestinationKeys, type RoutedOriginal } from './naming.ts';
export { reportOnName, validateFile, VALIDATE_STATUS, type FileReport, type FileStatus, type ValidateOptions } from './contract/summary.ts';
export { addCounts, emptyCounts, RowTally, sameCounts } from './contract/tally.ts';
export { fileVerdict, type FileVerdict } from './contract/verdict.ts';
export { DEFAULT_LIMITS, InvalidLimitError, LIMIT_ENV, limitsFromEnv, type ContractLimits } from './contract/limits.ts';
export { decodeMessageBody, MalformedEventError, PART_MESSAGE_TYPE, partMessageBody, type DecodedMessage, type ObjectRef, type PartMessage, type PartPhase } from './event.ts';
export { escapeControls, quoted } from './reports/inert.ts';
export { DEFAULTS } from './defaults.ts';
export { ENV, LEDGER, METRIC, METRICS_NAMESPACE, ORDERS_HASH_KEY, ORDERS_KEY, ORDERS_RANGE_KEY, PREFIX, SERVICE_NAME, type IngestionStatus } from './resource-names.ts';
export { BUILT_IN_SCHEMA, orderSchemaFor } from './contract/schema/built-in.ts';
export { DEFAULT_SCHEMA_FILE, loadSchemaFile, ORDER_SCHEMA_ENV, SchemaFileError, type LoadedSchema } from './contract/schema/load.ts';
export type { CompiledSchema, SchemaIdentity } from './contract/schema/compile.ts';

// For the benchmark (bench/): the contract's duplicate-id set it sizes, and the write path its bare
// loop drives exactly as the processor does. The write path is loaded on demand, so that importing
// this entry (`validate`, the CLI) does not load the AWS SDK.
export { OrderIdSet } from './contract/order-id-set.ts';
export async function loadWritePath() {
  const [{ readOrders }, { toItem }, { orderBatchSender }, { clientsFromEnv }] = await Promise.all([
    import('./contract/reader.ts'),
    import('./pipeline/write.ts'),
    import('./adapters/dynamo-writer.ts'),
    import('./runtime.ts'),
  ]);
  return { readOrders, toItem, orderBatchSender, clientsFromEnv };
}

// For the benchmark's count of DynamoDB requests per order (bench/reimport.ts): the handler as
// wired in the function, over clients the benchmark observes. Loaded on demand, as above.
export async function loadHandlerWiring() {
  const [{ readOrders }, { clientsFromEnv, configFromEnv, createSqsHandler }] = await Promise.all([import('./contract/reader.ts'), import('./runtime.ts')]);
  return { readOrders, clientsFromEnv, configFromEnv, createSqsHandler };
}
