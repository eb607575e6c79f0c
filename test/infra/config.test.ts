import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, limitsFromEnv } from '../../functions/order-processor/contract/limits.ts';
import { DEFAULTS, wholeFileThresholdMb } from '../../functions/order-processor/defaults.ts';
import { CONFIG_VARIABLES, ConfigError, loadConfig, namePrefix } from '../../modules/config.ts';

/** Runs loadConfig and returns the ConfigError's problems (fails if it does not throw one). */
function problemsFor(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    // Act
    const config = loadConfig({});

    // Assess
    expect(config).toMatchObject({
      stage: 'dev',
      region: 'us-east-1',
      alertEmails: [],
      lambdaMemoryMb: 1024,
      lambdaTimeoutSeconds: 300,
      ingestBatchSize: 5,
      ingestMaxConcurrency: 5,
      maxFileMb: 16_384,
      maxFileLines: 100_000_000,
      fanoutThresholdMb: 107,
      fanoutChunkMb: 64,
      logRetentionDays: 30,
      rejectRatioAlarmThreshold: 0.05,
      deletionProtection: false,
      lifecycle: {
        archiveToGlacierIr: 30,
        archiveToDeepArchive: 180,
        archiveExpiration: 2555,
        processedToInfrequentAccess: 30,
        failedExpiration: 90,
        noncurrentVersionExpiration: 30,
        abortIncompleteMultipartUpload: 7,
        stagingExpiration: 7,
      },
    });
    expect(config.remoteState).toBeUndefined();
  });

  it('parses every variable that is set', () => {
    // Act
    const config = loadConfig({
      PIPELINE_STAGE: 'prod-eu',
      AWS_REGION: 'eu-central-1',
      ALERT_EMAILS: ' ops@example.com, Data.Team+orders@example.co.uk ,,OPS@example.com',
      LAMBDA_MEMORY_MB: '2048',
      LAMBDA_TIMEOUT_SECONDS: '600',
      LOG_LEVEL: 'debug',
      INGEST_BATCH_SIZE: '50',
      INGEST_BATCH_WINDOW_SECONDS: '5',
      INGEST_MAX_CONCURRENCY: '20',
      MAX_FILE_MB: '64',
      MAX_FILE_LINES: '+250000',
      FANOUT_THRESHOLD_MB: '512',
      FANOUT_CHUNK_MB: '128',
      STAGING_EXPIRATION_DAYS: '10',
      LOG_RETENTION_DAYS: '365',
      REJECT_RATIO_ALARM_THRESHOLD: '0.2',
      DELETION_PROTECTION: 'yes',
      TF_STATE_BUCKET: 'my-tf-state',
      TF_STATE_LOCK_TABLE: 'tf-locks',
    });

    // Assess
    expect(config.stage).toBe('prod-eu');
    expect(config.region).toBe('eu-central-1');
    expect(config.alertEmails).toEqual(['ops@example.com', 'Data.Team+orders@example.co.uk']);
    expect(config.logLevel).toBe('DEBUG');
    expect(config.ingestBatchSize).toBe(50);
    expect(config.maxFileMb).toBe(64);
    expect(config.maxFileLines).toBe(250_000);
    expect(config.fanoutThresholdMb).toBe(512);
    expect(config.fanoutChunkMb).toBe(128);
    expect(config.lifecycle.stagingExpiration).toBe(10);
    expect(config.deletionProtection).toBe(true);
    expect(config.remoteState).toEqual({
      bucket: 'my-tf-state',
      key: 'order-pipeline/prod-eu/terraform.tfstate',
      region: 'eu-central-1',
      lockTable: 'tf-locks',
    });
  });

  it('turns deletion protection on for stage prod when DELETION_PROTECTION is unset', () => {
    expect(loadConfig({ PIPELINE_STAGE: 'prod' }).deletionProtection).toBe(true);
  });

  it('takes the region from AWS_DEFAULT_REGION when AWS_REGION is unset', () => {
    expect(loadConfig({ AWS_DEFAULT_REGION: 'ap-southeast-2' }).region).toBe('ap-southeast-2');
  });

  it.each([
    ['PIPELINE_STAGE', 'Prod', 'lower-case'],
    ['PIPELINE_STAGE', 'a-very-long-stage-name', '1–12'],
    ['PIPELINE_STAGE', 'dev-', 'not ending with a hyphen'],
    ['AWS_REGION', 'europe', 'AWS region code'],
    ['ALERT_EMAILS', 'ops@example', 'e-mail addresses'],
    ['LAMBDA_MEMORY_MB', '64', 'integer from 128 to 10240'],
    ['LAMBDA_MEMORY_MB', '10241', 'integer from 128 to 10240'],
    ['LAMBDA_MEMORY_MB', '512MB', 'integer from 128 to 10240'],
    ['LAMBDA_TIMEOUT_SECONDS', '0', 'integer from 1 to 900'],
    ['LAMBDA_TIMEOUT_SECONDS', '901', 'integer from 1 to 900'],
    ['LOG_LEVEL', 'VERBOSE', 'one of DEBUG, INFO, WARN, ERROR'],
    ['INGEST_BATCH_SIZE', '0', 'integer from 1 to 10000'],
    ['INGEST_BATCH_SIZE', '11', 'INGEST_BATCH_WINDOW_SECONDS is at least 1'],
    ['INGEST_MAX_CONCURRENCY', '1', 'integer from 2 to 1000'],
    ['INGEST_MAX_CONCURRENCY', '1001', 'integer from 2 to 1000'],
    ['PROCESSED_IA_DAYS', '10', 'at least 30'],
    ['ARCHIVE_DEEP_ARCHIVE_DAYS', '60', 'ARCHIVE_GLACIER_IR_DAYS + 90'],
    ['ARCHIVE_EXPIRATION_DAYS', '200', 'ARCHIVE_DEEP_ARCHIVE_DAYS + 180'],
    ['FAILED_EXPIRATION_DAYS', '-1', 'integer from 1'],
    ['LOG_RETENTION_DAYS', '45', 'one of 1, 3, 5, 7, 14, 30'],
    ['REJECT_RATIO_ALARM_THRESHOLD', '5%', 'fraction greater than 0 and at most 1'],
    ['REJECT_RATIO_ALARM_THRESHOLD', '1.5', 'fraction greater than 0 and at most 1'],
    ['REJECT_RATIO_ALARM_THRESHOLD', '0', 'fraction greater than 0 and at most 1'],
    ['DELETION_PROTECTION', 'maybe', 'true or false'],
    ['TF_STATE_KEY', 'state.tfstate', 'only together with TF_STATE_BUCKET'],
    ['WRITE_RETRY_DEADLINE_MS', '400000', 'less than the function timeout'],
    ['MAX_FILE_MB', '0', 'integer from 1 to 1048576 (MiB'],
    ['MAX_FILE_MB', '1.5', 'integer from 1 to 1048576 (MiB'],
    ['MAX_FILE_MB', '16GB', 'integer from 1 to 1048576 (MiB'],
    ['MAX_FILE_MB', '1048577', 'integer from 1 to 1048576 (MiB'],
    ['MAX_FILE_LINES', '0', 'integer from 1 to 10000000000 (physical lines'],
    ['MAX_FILE_LINES', '-5', 'integer from 1 to 10000000000 (physical lines'],
    ['MAX_FILE_LINES', '1e8', 'integer from 1 to 10000000000 (physical lines'],
    ['MAX_FILE_LINES', '10000000001', 'integer from 1 to 10000000000 (physical lines'],
    ['FANOUT_THRESHOLD_MB', '0', 'integer from 1 to 1048576 (MiB'],
    ['FANOUT_THRESHOLD_MB', '1048577', 'integer from 1 to 1048576 (MiB'],
    ['FANOUT_THRESHOLD_MB', '256MB', 'integer from 1 to 1048576 (MiB'],
    ['FANOUT_CHUNK_MB', '0', 'integer from 1 to 5120 (MiB; S3 copies at most 5 GiB per UploadPartCopy'],
    ['FANOUT_CHUNK_MB', '5121', 'integer from 1 to 5120'],
    ['FANOUT_CHUNK_MB', '1.5', 'integer from 1 to 5120'],
    ['FANOUT_CHUNK_MB', '300', 'at most FANOUT_THRESHOLD_MB (107)'],
    ['STAGING_EXPIRATION_DAYS', '3', 'integer from 4 to 36500 (days; at least the 4 days a queue keeps a part message'],
    ['STAGING_EXPIRATION_DAYS', 'two', 'integer from 4 to 36500'],
  ])('names the variable, the value and what is expected when %s=%j', (name, value, expected) => {
    // Act
    const problems = problemsFor({ [name]: value });

    // Assess
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`${name}=${JSON.stringify(value)}: expected`);
    expect(problems[0]).toContain(expected);
  });

  it('reports every problem at once when several values are bad', () => {
    // Act
    const problems = problemsFor({ PIPELINE_STAGE: 'BAD', LAMBDA_MEMORY_MB: '1', ALERT_EMAILS: 'good@example.com,not-an-email' });

    // Assess
    expect(problems).toEqual([
      expect.stringMatching(/^PIPELINE_STAGE="BAD": expected/),
      expect.stringMatching(/^ALERT_EMAILS="not-an-email": expected/),
      expect.stringMatching(/^LAMBDA_MEMORY_MB="1": expected/),
    ]);
  });

  it('prints a ConfigError with every problem on its own line', () => {
    // Act
    const error = new ConfigError(['A="1": expected x', 'B="2": expected y']);

    // Assess
    expect(error.message).toBe('Invalid configuration (2 problems):\n  - A="1": expected x\n  - B="2": expected y');
  });
});

describe('part sizes', () => {
  it('accepts a part as large as the threshold', () => {
    // Act
    const config = loadConfig({ FANOUT_THRESHOLD_MB: '1', FANOUT_CHUNK_MB: '1' });

    // Assess
    expect([config.fanoutThresholdMb, config.fanoutChunkMb]).toEqual([1, 1]);
  });

  it('lowers the default part size to the threshold when only a lower threshold is set', () => {
    expect(loadConfig({ FANOUT_THRESHOLD_MB: '16' }).fanoutChunkMb).toBe(16);
  });

  it('keeps the default part size of 64 MiB under a higher threshold', () => {
    expect(loadConfig({ FANOUT_THRESHOLD_MB: '4096' }).fanoutChunkMb).toBe(64);
  });

  it('accepts the largest part S3 copies at once, 5120 MiB, under a threshold at least as large', () => {
    expect(loadConfig({ FANOUT_THRESHOLD_MB: '8192', FANOUT_CHUNK_MB: '5120' }).fanoutChunkMb).toBe(5120);
  });

  it('refuses parts so small that a file at MAX_FILE_MB would need more than the 10,000 parts S3 joins', () => {
    // Act
    const error = (() => {
      try {
        loadConfig({ MAX_FILE_MB: '600000', FANOUT_CHUNK_MB: '32' });
        return null;
      } catch (e) {
        return e as Error;
      }
    })();

    // Assess
    expect(error?.message).toContain('FANOUT_CHUNK_MB="32": expected at least MAX_FILE_MB / 10,000 (60): a file at MAX_FILE_MB (600000) would be 18,750 parts');
    expect(loadConfig({ MAX_FILE_MB: '600000', FANOUT_CHUNK_MB: '64' }).fanoutChunkMb).toBe(64);
  });

  it('lets parts under 5 MiB be as many as they come, since their slices are merged when joined', () => {
    expect(loadConfig({ FANOUT_THRESHOLD_MB: '1', FANOUT_CHUNK_MB: '1' }).maxFileMb).toBe(16_384);
  });
});

describe('file caps', () => {
  /** Whether a reader accepts `value` for `name` (loadConfig throws ConfigError, limitsFromEnv InvalidLimitError). */
  const accepts = (read: (env: Record<string, string>) => unknown, name: string, value: string) => {
    try {
      read({ [name]: value });
      return true;
    } catch {
      return false;
    }
  };

  it('defaults to the caps the processor applies when the variables are unset', () => {
    // Act
    const config = loadConfig({});

    // Assess
    expect({ maxFileMb: config.maxFileMb, maxFileLines: config.maxFileLines }).toEqual(DEFAULT_LIMITS);
  });

  it.each([
    ['MAX_FILE_MB', ['1', '16384', '1048576', '1048577', '0', '2.5']],
    ['MAX_FILE_LINES', ['1', '100000000', '10000000000', '10000000001', '0', '1e9']],
  ])('accepts exactly the %s values the processor accepts, so a synthesized stack never fails at run time', (name, values) => {
    for (const value of values) {
      // Act
      const atSynth = accepts(loadConfig, name, value);
      const atRunTime = accepts(limitsFromEnv, name, value);

      // Assess
      expect(atSynth, `${name}=${value}`).toBe(atRunTime);
    }
  });
});

describe('namePrefix', () => {
  it('prefixes resources with order-pipeline-<stage>', () => {
    expect(namePrefix('dev')).toBe('order-pipeline-dev');
  });
});

describe('CONFIG_VARIABLES', () => {
  /** docs/deploy.md's configuration table by variable name (backticks around a default are formatting only). */
  function documentedRows(): Map<string, { default: string; meaning: string }> {
    const doc = readFileSync(new URL('../../docs/deploy.md', import.meta.url), 'utf8');
    return new Map(
      doc
        .split('\n')
        .map((line) => /^\| `([A-Z0-9_]+)` \| (.*?) \| (.*) \|$/.exec(line))
        .filter((match) => match !== null)
        .map(([, name, defaultValue, meaning]) => [name!, { default: defaultValue!.replaceAll('`', ''), meaning: meaning! }]),
    );
  }

  it('documents every configuration variable in the table of docs/deploy.md with its default and meaning, and no other', () => {
    // Prepare
    const rows = documentedRows();

    // Assess
    for (const variable of CONFIG_VARIABLES) {
      expect(rows.get(variable.name), variable.name).toEqual({ default: variable.default.replaceAll('`', ''), meaning: variable.description });
    }
    expect([...rows.keys()].sort()).toEqual(CONFIG_VARIABLES.map((v) => v.name).sort());
  });

  it("shows the defaults table's value (functions/order-processor/defaults.ts) for every deployment variable it holds", () => {
    // Prepare: PARTS_MAX_RECEIVES is the parts queue's redrive count, passed to the processor, not a setting
    const rows = documentedRows();
    const settings = (Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]).filter((name) => name !== 'PARTS_MAX_RECEIVES');

    // Assess: the value alone, or among words ("64 (… if higher)", "AWS_DEFAULT_REGION, else us-east-1")
    for (const name of settings) {
      expect(rows.get(name)?.default.split(/[ ,()]+/), name).toContain(String(DEFAULTS[name]));
    }
  });

  it('derives FANOUT_THRESHOLD_MB from the memory and timeout set, when it is not set itself', () => {
    // Act
    const config = loadConfig({ LAMBDA_MEMORY_MB: '2048', LAMBDA_TIMEOUT_SECONDS: '900' });

    // Assess: and the part size follows a threshold below it
    expect(config.fanoutThresholdMb).toBe(wholeFileThresholdMb(2048, 900));
    expect(loadConfig({ LAMBDA_TIMEOUT_SECONDS: '60' })).toMatchObject({ fanoutThresholdMb: 21, fanoutChunkMb: 21 });
    expect(documentedRows().get('FANOUT_THRESHOLD_MB')?.default).toContain(`${loadConfig({}).fanoutThresholdMb} at their defaults`);
  });

  it('applies the defaults table to an empty environment', () => {
    // Act
    const config = loadConfig({});

    // Assess
    expect(config).toMatchObject({
      stage: DEFAULTS.PIPELINE_STAGE,
      lambdaMemoryMb: DEFAULTS.LAMBDA_MEMORY_MB,
      writeConcurrency: DEFAULTS.WRITE_CONCURRENCY,
      maxFileMb: DEFAULTS.MAX_FILE_MB,
      fanoutChunkMb: DEFAULTS.FANOUT_CHUNK_MB,
      queueAgeAlarmSeconds: DEFAULTS.QUEUE_AGE_ALARM_SECONDS,
      lifecycle: expect.objectContaining({ stagingExpiration: DEFAULTS.STAGING_EXPIRATION_DAYS }),
    });
  });
});
