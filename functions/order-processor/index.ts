/**
 * The processor's public entry: what the CLI, the local runtime, scripts, the benchmark and the
 * tests may use without reaching into its internals. Each rule has one home, here re-exported:
 * ledger keys and statuses, destination naming and its inverse, the CSV contract for `validate`,
 * message decoding, and the names the infrastructure shares with the function.
 */
export { contentLedgerKey, fileLedgerKey, FINAL_STATUSES, isFinalStatus, PARTS_PHASES, type FinalStatus, type LedgerItem, type PartsPhase } from './ledger-item.ts';
export { destinationKeys, encodeCopySource, routedOriginal, s3Uri, type DestinationKeys, type RoutedOriginal } from './naming.ts';
export { validateFile, FileTally, statusOf, type FileReport, type FileStatus, type ValidateOptions } from './contract/summary.ts';
export { DEFAULT_LIMITS, InvalidLimitError, LIMIT_ENV, limitsFromEnv, type ContractLimits } from './contract/limits.ts';
export { decodeMessageBody, MalformedEventError, PART_MESSAGE_TYPE, partMessageBody, type DecodedMessage, type ObjectRef, type PartMessage, type PartPhase } from './event.ts';
export { ENV, LEDGER, METRIC, METRICS_NAMESPACE, ORDERS_HASH_KEY, PREFIX, SERVICE_NAME, type IngestionStatus } from './settings.ts';
export { BUILT_IN_SCHEMA, orderSchemaFor } from './contract/schema/built-in.ts';
export { DEFAULT_SCHEMA_FILE, loadSchemaFile, ORDER_SCHEMA_ENV, SchemaFileError, type LoadedSchema } from './contract/schema/load.ts';
export type { CompiledSchema, SchemaIdentity } from './contract/schema/compile.ts';
