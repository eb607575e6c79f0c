import { describe, expect, it } from 'vitest';
import { clientConfig, destroyClients, emulatorEnv, makeClients } from '../../../tooling/aws-clients.ts';

describe('clientConfig', () => {
  it('points at the emulator with dummy credentials and path-style S3 when given an endpoint', () => {
    // Act
    const config = clientConfig({ region: 'us-east-1', endpoint: 'http://127.0.0.1:5000' });

    // Assess
    expect(config).toEqual({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:5000',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing', sessionToken: 'testing' },
      forcePathStyle: true,
    });
  });

  it('leaves AWS to the standard credential chain and endpoints', () => {
    // Assess
    expect(clientConfig({ region: 'eu-west-1' })).toEqual({ region: 'eu-west-1' });
  });
});

describe('emulatorEnv', () => {
  it('says the same as clientConfig, as environment variables', () => {
    // Prepare
    const config = clientConfig({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:5000' });

    // Act
    const env = emulatorEnv('http://127.0.0.1:5000', 'eu-west-1');

    // Assess
    expect(env).toEqual({
      AWS_ENDPOINT_URL: config.endpoint,
      AWS_ACCESS_KEY_ID: config.credentials!.accessKeyId,
      AWS_SECRET_ACCESS_KEY: config.credentials!.secretAccessKey,
      AWS_SESSION_TOKEN: config.credentials!.sessionToken,
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
    });
  });
});

describe('makeClients', () => {
  it('gives every client the same region and endpoint, and S3 path-style addressing', async () => {
    // Act
    const clients = makeClients({ region: 'us-east-1', endpoint: 'http://127.0.0.1:5000' });

    // Assess
    try {
      expect(await clients.s3.config.forcePathStyle).toBe(true);
      for (const client of [clients.sqs, clients.ddb, clients.lambda, clients.cloudwatch, clients.sns]) {
        expect(await client.config.region()).toBe('us-east-1');
        expect((await client.config.endpoint!()).hostname).toBe('127.0.0.1');
      }
    } finally {
      destroyClients(clients);
    }
  });
});
