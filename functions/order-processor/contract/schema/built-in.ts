/**
 * The built-in order contract: order-schema.json at the repository root, compiled once. Imported
 * as JSON, so the processor's bundle carries it and nothing reads a file to use it; a schema
 * given through ORDER_SCHEMA replaces it (docs/csv-format.md "The schema file").
 */
import builtIn from '../../../../order-schema.json' with { type: 'json' };
import { compileSchemaJson, DEFAULT_SCHEMA_FILE, entryPointSchema, type LoadedSchema } from './load.ts';

export const BUILT_IN_SCHEMA = compileSchemaJson(builtIn, DEFAULT_SCHEMA_FILE);

/** The schema of an entry point: `given` (a --schema flag), else ORDER_SCHEMA, else the built-in one. */
export function orderSchemaFor(given: string | undefined, env: Readonly<Record<string, string | undefined>>): LoadedSchema {
  return entryPointSchema(given, env, BUILT_IN_SCHEMA);
}
