/** The process environment the function sees in an execution environment. Pure. */
import type { FunctionDetails } from '../../deployment/event-source-mapping.ts';
import { emulatorEnv } from '../../tooling/aws-clients.ts';

/** The Lambda runtime variables a function sees besides its own environment. */
export function lambdaRuntimeEnv(fn: FunctionDetails, region: string): Record<string, string> {
  return {
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: fn.version,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    _HANDLER: fn.handler,
  };
}

/**
 * This process's environment (PATH, proxies…) with the function's deployed environment, the
 * Lambda runtime variables and the emulator's endpoint and credentials on top.
 */
export function functionEnvironment(
  fn: FunctionDetails,
  emulator: { endpoint: string; region: string },
  base: NodeJS.ProcessEnv = process.env,
  /** The directory of the function's code, as LAMBDA_TASK_ROOT (absent: not set). */
  taskRoot?: string,
): Record<string, string | undefined> {
  return {
    // Powertools disables metrics under POWERTOOLS_DEV; the dashboard needs them.
    POWERTOOLS_METRICS_DISABLED: 'false',
    ...base,
    ...fn.environment,
    ...lambdaRuntimeEnv(fn, emulator.region),
    ...(taskRoot ? { LAMBDA_TASK_ROOT: taskRoot } : {}),
    ...emulatorEnv(emulator.endpoint, emulator.region),
  };
}
