/**
 * The configuration `local up` (and `demo`) synthesizes and applies the local stack with: the
 * settings of docs/deploy.md that the operator exported, passed through — so, say,
 * `FANOUT_THRESHOLD_MB=1 FANOUT_CHUNK_MB=1 order-pipeline local up` splits files of 1 MiB and more
 * into parts of 1 MiB —; the stage and region fixed; the emulator's endpoint and credentials set;
 * and the settings that would reach beyond the emulator removed. Pure.
 */
import { CONFIG_VARIABLES } from '../modules/config.ts';
import { emulatorEnv } from '../tooling/aws-clients.ts';

export const LOCAL_STAGE = 'local';
export const LOCAL_REGION = 'us-east-1';

/** Settings the local stack sets itself, whatever the environment says. */
const FIXED: Record<string, string> = { PIPELINE_STAGE: LOCAL_STAGE, AWS_REGION: LOCAL_REGION };

/** Settings removed from the synth's environment, and why. */
const REMOVED: Record<string, string> = {
  TF_STATE_BUCKET: 'the local stack keeps its Terraform state beside its emulator',
  TF_STATE_KEY: 'the local stack keeps its Terraform state beside its emulator',
  TF_STATE_REGION: 'the local stack keeps its Terraform state beside its emulator',
  TF_STATE_LOCK_TABLE: 'the local stack keeps its Terraform state beside its emulator',
  DELETION_PROTECTION: 'the local stack goes away with its emulator',
};

/** Every documented setting that `local up` passes through from the environment. */
export const LOCAL_SETTINGS: readonly string[] = CONFIG_VARIABLES.map((v) => v.name).filter((name) => !(name in FIXED) && !(name in REMOVED));

export interface LocalStackEnv {
  /** Overrides of the synth's environment (a name mapped to undefined is removed). */
  env: Record<string, string | undefined>;
  /** The settings taken from the environment, by name. */
  passed: Record<string, string>;
  /** Settings the environment has that the local stack does not take, and why. */
  ignored: { name: string; value: string; why: string }[];
}

const isSet = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

export function localStackEnv(
  base: Record<string, string | undefined>,
  endpoint: string,
  /** Extra configuration from the caller (e.g. ALERT_EMAILS of a test): it wins over the environment. */
  extra: Record<string, string> = {},
): LocalStackEnv {
  const passed: Record<string, string> = {};
  for (const name of LOCAL_SETTINGS) {
    const value = base[name];
    if (isSet(value)) passed[name] = value;
  }
  const ignored: LocalStackEnv['ignored'] = [];
  for (const [name, value] of Object.entries(FIXED)) {
    const given = base[name];
    if (isSet(given) && given !== value) ignored.push({ name, value: given, why: `the local stack uses ${name}=${value}` });
  }
  for (const [name, why] of Object.entries(REMOVED)) {
    const given = base[name];
    if (isSet(given)) ignored.push({ name, value: given, why });
  }
  return {
    env: {
      ...passed,
      ...Object.fromEntries(Object.keys(REMOVED).map((name) => [name, undefined])),
      ...emulatorEnv(endpoint, LOCAL_REGION),
      ...FIXED,
      ...extra,
    },
    passed,
    ignored,
  };
}
