import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
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
  it('GIVEN an empty environment WHEN loaded THEN the documented defaults apply', () => {
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
      },
    });
    expect(config.remoteState).toBeUndefined();
  });

  it('GIVEN every variable set WHEN loaded THEN each is parsed', () => {
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
    expect(config.deletionProtection).toBe(true);
    expect(config.remoteState).toEqual({
      bucket: 'my-tf-state',
      key: 'order-pipeline/prod-eu/terraform.tfstate',
      region: 'eu-central-1',
      lockTable: 'tf-locks',
    });
  });

  it('GIVEN stage prod and no DELETION_PROTECTION WHEN loaded THEN deletion protection is on', () => {
    expect(loadConfig({ PIPELINE_STAGE: 'prod' }).deletionProtection).toBe(true);
  });

  it('GIVEN AWS_DEFAULT_REGION only WHEN loaded THEN it is the region', () => {
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
  ])('GIVEN %s=%j WHEN loaded THEN the error names the variable, the value and what is expected', (name, value, expected) => {
    // Act
    const problems = problemsFor({ [name]: value });

    // Assess
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`${name}=${JSON.stringify(value)}: expected`);
    expect(problems[0]).toContain(expected);
  });

  it('GIVEN several bad values WHEN loaded THEN every problem is reported at once', () => {
    // Act
    const problems = problemsFor({ PIPELINE_STAGE: 'BAD', LAMBDA_MEMORY_MB: '1', ALERT_EMAILS: 'good@example.com,not-an-email' });

    // Assess
    expect(problems).toEqual([
      expect.stringMatching(/^PIPELINE_STAGE="BAD": expected/),
      expect.stringMatching(/^ALERT_EMAILS="not-an-email": expected/),
      expect.stringMatching(/^LAMBDA_MEMORY_MB="1": expected/),
    ]);
  });

  it('GIVEN a ConfigError WHEN printed THEN its message lists every problem on its own line', () => {
    // Act
    const error = new ConfigError(['A="1": expected x', 'B="2": expected y']);

    // Assess
    expect(error.message).toBe('Invalid configuration (2 problems):\n  - A="1": expected x\n  - B="2": expected y');
  });
});

describe('namePrefix', () => {
  it('GIVEN a stage WHEN named THEN resources are order-pipeline-<stage>-…', () => {
    expect(namePrefix('dev')).toBe('order-pipeline-dev');
  });
});

describe('CONFIG_VARIABLES', () => {
  it('GIVEN docs/deploy.md WHEN read THEN every configuration variable is documented in its table', () => {
    // Prepare
    const doc = readFileSync(new URL('../../docs/deploy.md', import.meta.url), 'utf8');

    // Assess
    for (const variable of CONFIG_VARIABLES) expect(doc, variable.name).toContain(`| \`${variable.name}\` |`);
  });
});
