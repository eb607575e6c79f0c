import { describe, expect, it } from 'vitest';
import { LOCAL_SETTINGS, localStackEnv } from '../../../local/stack-env.ts';

const ENDPOINT = 'http://127.0.0.1:5000';

describe('localStackEnv', () => {
  it('passes the large-file and file-cap settings of the environment to the synth of the local stack', () => {
    // Prepare
    const base = {
      FANOUT_THRESHOLD_MB: '1',
      FANOUT_CHUNK_MB: '1',
      MAX_FILE_MB: '64',
      MAX_FILE_LINES: '500000',
      INGEST_MAX_CONCURRENCY: '3',
      PATH: '/usr/bin',
    };

    // Act
    const { env, passed } = localStackEnv(base, ENDPOINT);

    // Assess
    const expected = { FANOUT_THRESHOLD_MB: '1', FANOUT_CHUNK_MB: '1', MAX_FILE_MB: '64', MAX_FILE_LINES: '500000', INGEST_MAX_CONCURRENCY: '3' };
    expect(passed).toEqual(expected);
    expect(env).toMatchObject(expected);
    expect(env).not.toHaveProperty('PATH');
  });

  it('passes every documented setting but the fixed and removed ones', () => {
    // Assess
    for (const name of ['FANOUT_THRESHOLD_MB', 'FANOUT_CHUNK_MB', 'MAX_FILE_MB', 'MAX_FILE_LINES', 'INGEST_MAX_CONCURRENCY', 'LAMBDA_TIMEOUT_SECONDS', 'ALERT_EMAILS', 'LOG_LEVEL']) {
      expect(LOCAL_SETTINGS, name).toContain(name);
    }
    for (const name of ['PIPELINE_STAGE', 'AWS_REGION', 'TF_STATE_BUCKET', 'TF_STATE_KEY', 'TF_STATE_REGION', 'TF_STATE_LOCK_TABLE', 'DELETION_PROTECTION']) {
      expect(LOCAL_SETTINGS, name).not.toContain(name);
    }
  });

  it('fixes the stage and region and points the synth at the emulator, whatever the environment says', () => {
    // Act
    const { env, ignored } = localStackEnv({ PIPELINE_STAGE: 'prod', AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIAREAL' }, ENDPOINT);

    // Assess
    expect(env).toMatchObject({ PIPELINE_STAGE: 'local', AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: ENDPOINT, AWS_ACCESS_KEY_ID: 'testing' });
    expect(ignored.map((i) => `${i.name}=${i.value}`)).toEqual(['PIPELINE_STAGE=prod', 'AWS_REGION=eu-west-1']);
  });

  it('removes remote state and deletion protection, and says why', () => {
    // Act
    const { env, ignored } = localStackEnv({ TF_STATE_BUCKET: 'team-state', DELETION_PROTECTION: 'true' }, ENDPOINT);

    // Assess
    expect(Object.keys(env)).toContain('TF_STATE_BUCKET');
    expect(env.TF_STATE_BUCKET).toBeUndefined();
    expect(env.DELETION_PROTECTION).toBeUndefined();
    expect(ignored).toEqual([
      { name: 'TF_STATE_BUCKET', value: 'team-state', why: 'the local stack keeps its Terraform state beside its emulator' },
      { name: 'DELETION_PROTECTION', value: 'true', why: 'the local stack goes away with its emulator' },
    ]);
  });

  it('lets the caller\'s extra configuration win over the environment, and skips empty values', () => {
    // Act
    const { env, passed } = localStackEnv({ ALERT_EMAILS: 'ops@example.com', LOG_LEVEL: '  ' }, ENDPOINT, { ALERT_EMAILS: 'test@example.com' });

    // Assess
    expect(env.ALERT_EMAILS).toBe('test@example.com');
    expect(passed).toEqual({ ALERT_EMAILS: 'ops@example.com' });
    expect(env).not.toHaveProperty('LOG_LEVEL');
  });
});
