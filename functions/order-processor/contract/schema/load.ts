/**
 * Reading a schema file: parse, check, compile. A file that cannot be read, is not JSON or does
 * not pass the check throws SchemaFileError, whose message names the file, the place in it and
 * what is expected — every entry point (validate, local up, synth, the processor) stops on it.
 */
import { readFileSync } from 'node:fs';
import { checkSchema, type SchemaProblem } from './check.ts';
import { compileSchema, type CompiledSchema } from './compile.ts';

/** The environment variable naming the schema file of `validate`, `local up`, `npm start`, synth and deploy. */
export const ORDER_SCHEMA_ENV = 'ORDER_SCHEMA';

/** The schema file at the repository root: the built-in contract, and the default of ORDER_SCHEMA. */
export const DEFAULT_SCHEMA_FILE = 'order-schema.json';

/** How many problems a message lists before summarising the rest. */
const LISTED_PROBLEMS = 10;

export class SchemaFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly SchemaProblem[],
  ) {
    const listed = problems.slice(0, LISTED_PROBLEMS).map((p) => `  ${file}: ${p.place}: ${p.message}`);
    const more = problems.length - listed.length;
    super(
      `the order schema ${file} is not valid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${listed.join('\n')}` +
        (more > 0 ? `\n  … and ${more} more` : ''),
    );
    this.name = 'SchemaFileError';
  }
}

/** Checks and compiles parsed JSON; `file` names it in errors. */
export function compileSchemaJson(raw: unknown, file: string): CompiledSchema {
  const checked = checkSchema(raw);
  if ('problems' in checked) throw new SchemaFileError(file, checked.problems);
  return compileSchema(checked.spec);
}

/** Parses and compiles schema text; `file` names it in errors. */
export function compileSchemaText(text: string, file: string): CompiledSchema {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new SchemaFileError(file, [{ place: '(file)', message: `is not JSON (${(error as Error).message}); expected a JSON object` }]);
  }
  return compileSchemaJson(raw, file);
}

/** Reads, checks and compiles a schema file. */
export function loadSchemaFile(path: string): CompiledSchema {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw new SchemaFileError(path, [{ place: '(file)', message: `cannot be read (${why}); expected a readable JSON file` }]);
  }
  return compileSchemaText(text, path);
}

/** A schema and the file it came from, as the entry points report it. */
export interface LoadedSchema {
  schema: CompiledSchema;
  /** The file as given (flag or ORDER_SCHEMA), or DEFAULT_SCHEMA_FILE for the built-in one. */
  file: string;
}

/**
 * The schema of an entry point (`validate`, `local up`, synth): the file given (a `--schema`
 * flag), else ORDER_SCHEMA, else the built-in one (order-schema.json at the repository root,
 * already compiled: `builtIn`). Throws SchemaFileError for a broken file.
 */
export function entryPointSchema(
  given: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  builtIn: CompiledSchema,
): LoadedSchema {
  const file = given?.trim() || env[ORDER_SCHEMA_ENV]?.trim();
  return file ? { schema: loadSchemaFile(file), file } : { schema: builtIn, file: DEFAULT_SCHEMA_FILE };
}
