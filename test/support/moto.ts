import { afterAll, beforeAll } from 'vitest';
import { clientConfig, emulatorEnv, type AwsClientConfig } from '../../tooling/aws-clients.ts';
import { startMoto, type MotoServer } from '../../tooling/emulator.ts';

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

/** The one emulator client configuration (tooling/aws-clients.ts), in the tests' region. */
export function clientConfigFor(endpoint: string, region = TEST_REGION): AwsClientConfig {
  return clientConfig({ endpoint, region });
}

export { emulatorEnv, type AwsClientConfig };
