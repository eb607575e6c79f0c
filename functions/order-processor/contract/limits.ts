/**
 * The bounds that keep reading a file linear in time and flat in memory, whatever it holds
 * (docs/csv-format.md "Limits"). Two kinds:
 *  - record bounds, part of the format itself (the stray-quote rule depends on them, so they are
 *    the same everywhere and not configurable);
 *  - file caps, configurable per deployment through the environment (MAX_FILE_MB, MAX_FILE_LINES),
 *    read by `validate` and by the processor with `limitsFromEnv`.
 */
import { DEFAULTS } from '../defaults.ts';
import { countText } from './headers.ts';

/** A record (one row, quoted line breaks included) may not exceed this many bytes. */
export const MAX_RECORD_BYTES = 1 << 20;

/** A quoted value may span at most this many physical lines (the record's first line included). */
export const MAX_RECORD_LINES = 100;

/** "MB" in the caps and their reasons means MiB. */
export const MB = 1 << 20;

/** File caps. Absent from a ContractContext, DEFAULT_LIMITS apply. */
export interface ContractLimits {
  /** Largest accepted file, in MB (MiB) of decompressed bytes. */
  maxFileMb: number;
  /** Most physical lines a file may have (header and blank lines included). */
  maxFileLines: number;
}

export const DEFAULT_LIMITS: Readonly<ContractLimits> = { maxFileMb: DEFAULTS.MAX_FILE_MB, maxFileLines: DEFAULTS.MAX_FILE_LINES };

/** Environment variables of the caps, shared by `validate`, the processor and the infrastructure. */
export const LIMIT_ENV = { maxFileMb: 'MAX_FILE_MB', maxFileLines: 'MAX_FILE_LINES' } as const;

const RANGES: Record<keyof ContractLimits, { max: number; unit: string }> = {
  maxFileMb: { max: 1_048_576, unit: 'megabytes (MiB)' },
  maxFileLines: { max: 10_000_000_000, unit: 'lines' },
};

/** A cap in the environment that is not a whole number in range: a deployment fault. */
export class InvalidLimitError extends Error {
  constructor(
    readonly variable: string,
    readonly value: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidLimitError';
  }
}

/**
 * Reads MAX_FILE_MB and MAX_FILE_LINES; an unset or empty variable means the default. Pure (the
 * environment is a parameter). Throws InvalidLimitError naming the variable, its value and what
 * is expected.
 */
export function limitsFromEnv(env: Readonly<Record<string, string | undefined>>): ContractLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(LIMIT_ENV) as (keyof ContractLimits)[]) {
    const variable = LIMIT_ENV[key];
    const raw = env[variable]?.trim();
    if (!raw) continue;
    const { max, unit } = RANGES[key];
    const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(value) || value < 1 || value > max) {
      throw new InvalidLimitError(
        variable,
        raw,
        `${variable}=${JSON.stringify(raw)} is not a valid cap; expected a whole number of ${unit} from 1 to ${countText(max)} ` +
          `(unset means ${countText(DEFAULT_LIMITS[key])})`,
      );
    }
    limits[key] = value;
  }
  return limits;
}

/** The file-level reasons of the caps (docs/csv-format.md lists them). */
export function tooLargeReason(limits: ContractLimits): string {
  return `the file is larger than ${countText(limits.maxFileMb)} MB once decompressed; expected at most ${countText(limits.maxFileMb)} MB (the ${LIMIT_ENV.maxFileMb} setting)`;
}

export function tooManyLinesReason(limits: ContractLimits): string {
  return `the file has more than ${countText(limits.maxFileLines)} lines; expected at most ${countText(limits.maxFileLines)} lines (the ${LIMIT_ENV.maxFileLines} setting)`;
}
