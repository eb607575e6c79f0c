import { afterAll, beforeAll } from 'vitest';
import { emulatorEnv, startMoto, type MotoServer } from '../../tooling/emulator.ts';

export const TEST_REGION = 'us-east-1';

/**
 * Starts a moto server for the calling test file (fails the file, never skips, if moto is missing)
 * and returns a handle whose fields are filled in by `beforeAll`.
 */
export function useMoto(): { server: MotoServer; endpoint: string; clientConfig: AwsClientConfig } {
  const handle = {} as { server: MotoServer; endpoint: string; clientConfig: AwsClientConfig };
  beforeAll(async () => {
    handle.server = await startMoto();
    handle.endpoint = handle.server.endpoint;
    handle.clientConfig = clientConfigFor(handle.endpoint);
  }, 60_000);
  afterAll(async () => {
    await handle.server?.stop();
  });
  return handle;
}

export interface AwsClientConfig {
  endpoint: string;
  region: string;
  forcePathStyle: boolean;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** SDK client configuration for the emulator (path-style S3, dummy credentials). */
export function clientConfigFor(endpoint: string, region = TEST_REGION): AwsClientConfig {
  return {
    endpoint,
    region,
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
}

export { emulatorEnv };
