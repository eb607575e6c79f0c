import { describe, expect, it } from 'vitest';
import type { FunctionDetails } from '../../../../deployment/event-source-mapping.ts';
import { functionEnvironment, lambdaRuntimeEnv } from '../../../../local/lambda/function-environment.ts';

function aFunction(overrides: Partial<FunctionDetails> = {}): FunctionDetails {
  return {
    functionName: 'order-pipeline-local-processor',
    functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:order-pipeline-local-processor',
    version: '$LATEST',
    memoryMb: 1024,
    timeoutSeconds: 120,
    environment: { ORDERS_TABLE: 'orders', POWERTOOLS_SERVICE_NAME: 'order-processor' },
    runtime: 'nodejs22.x',
    handler: 'index.handler',
    ...overrides,
  };
}

describe('lambdaRuntimeEnv', () => {
  it('sets the variables Lambda gives every function', () => {
    // Act
    const env = lambdaRuntimeEnv(aFunction(), 'eu-west-1');

    // Assess
    expect(env).toEqual({
      AWS_LAMBDA_FUNCTION_NAME: 'order-pipeline-local-processor',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/order-pipeline-local-processor',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      _HANDLER: 'index.handler',
    });
  });
});

describe('functionEnvironment', () => {
  it('layers the deployed environment, the runtime variables and the emulator over the base environment', () => {
    // Prepare
    const base = { PATH: '/usr/bin', ORDERS_TABLE: 'from-the-shell', AWS_ACCESS_KEY_ID: 'a-real-key' };

    // Act
    const env = functionEnvironment(aFunction(), { endpoint: 'http://127.0.0.1:5000', region: 'us-east-1' }, base);

    // Assess
    expect(env).toMatchObject({
      PATH: '/usr/bin',
      ORDERS_TABLE: 'orders',
      AWS_LAMBDA_FUNCTION_NAME: 'order-pipeline-local-processor',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
      AWS_ACCESS_KEY_ID: 'testing',
      POWERTOOLS_METRICS_DISABLED: 'false',
    });
  });

  it('keeps an explicit POWERTOOLS_METRICS_DISABLED', () => {
    // Act
    const env = functionEnvironment(aFunction({ environment: { POWERTOOLS_METRICS_DISABLED: 'true' } }), { endpoint: 'http://e', region: 'us-east-1' }, {});

    // Assess
    expect(env.POWERTOOLS_METRICS_DISABLED).toBe('true');
  });
});
