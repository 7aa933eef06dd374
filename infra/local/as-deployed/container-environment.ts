/**
 * A container's whole environment, stated here and nowhere else: the template's resolved variables,
 * the gateway's own handler settings over them, and what the Lambda runtime itself sets, pointed
 * at the gateway's stand-ins (the IAM-checking DynamoDB proxy, the secrets endpoint, the
 * management API). Nothing of the gateway's own environment leaks in otherwise.
 */
import type { CallPolicy } from '../../../shared/call-policy';
import { abuseLimitEnvironment, type AbuseLimitSettings } from '../../../shared/abuse-limits';
import { ENV, type EnvName } from '../../../shared/env';
import type { LogLevel } from '../log';

export interface FunctionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface ContainerEnvironmentInput {
  /** The template's variables, resolved. */
  template: Readonly<Record<string, string>>;
  /** The gateway's handler settings, over the template's (see `handlerSettingOverrides`). */
  overrides: Readonly<Record<string, string>>;
  functionName: string;
  memoryMb: number;
  runtime: string | undefined;
  region: string;
  credentials: FunctionCredentials;
  dynamodbEndpoint: string;
  secretsManagerEndpoint: string;
  managementEndpoint: string;
  whiteboardManagementEndpoint: string;
  /** Stands in for the runtime's own `/var/runtime/node_modules` (the AWS SDK). */
  nodePath: string;
}

/** Names in `shared/env.ts` that wire a function to its resources rather than set its behaviour: never overridden. */
const WIRING: readonly EnvName[] = [
  ENV.connectionsTable,
  ENV.callLogsTable,
  ENV.profileSettingsTable,
  ENV.managementEndpoint,
  ENV.whiteboardManagementEndpoint,
  ENV.whiteboardCallHistoryTable,
  ENV.jwtSecret,
  ENV.jwtSecretArn,
];

export interface GatewayHandlerSettings {
  /** Only when given (a flag or its variable), so a synthesized value stays otherwise. */
  ringTimeoutSeconds?: number | undefined;
  resumeGraceSeconds?: number | undefined;
  /** Set by `--quiet` or an option; `LOG_LEVEL` in the environment counts as the environment. */
  logLevel?: LogLevel | undefined;
  /** `--call-policy`. */
  callPolicy?: CallPolicy | undefined;
  /** Only those given (flags or options). */
  abuseLimits?: AbuseLimitSettings;
  sessionWaitLimitSeconds?: number | undefined;
  sessionRejoinGraceSeconds?: number | undefined;
}

/**
 * The handler settings of `shared/env.ts` the gateway was given: each such name in its environment
 * (`RATE_LIMIT_OFFERS_PER_SECOND`, `PROFILE_TYPES`, …), then its flags.
 */
export function handlerSettingOverrides(gatewayEnvironment: NodeJS.ProcessEnv, settings: GatewayHandlerSettings): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const name of Object.values(ENV)) {
    const value = gatewayEnvironment[name];
    if (value !== undefined && !WIRING.includes(name)) overrides[name] = value;
  }
  if (settings.ringTimeoutSeconds !== undefined) overrides[ENV.ringTimeoutSeconds] = String(settings.ringTimeoutSeconds);
  if (settings.resumeGraceSeconds !== undefined) overrides[ENV.resumeGraceSeconds] = String(settings.resumeGraceSeconds);
  if (settings.logLevel !== undefined) overrides[ENV.logLevel] = settings.logLevel;
  if (settings.callPolicy !== undefined) overrides[ENV.callPolicy] = settings.callPolicy;
  Object.assign(overrides, abuseLimitEnvironment(settings.abuseLimits ?? {}));
  if (settings.sessionWaitLimitSeconds !== undefined) overrides[ENV.sessionWaitLimitSeconds] = String(settings.sessionWaitLimitSeconds);
  if (settings.sessionRejoinGraceSeconds !== undefined) {
    overrides[ENV.sessionRejoinGraceSeconds] = String(settings.sessionRejoinGraceSeconds);
  }
  return overrides;
}

export function containerEnvironment(input: ContainerEnvironmentInput): Record<string, string> {
  const environment: Record<string, string> = { ...input.template, ...input.overrides };
  // The signing secret itself never reaches a container: the authorizer reads it through the secrets endpoint.
  delete environment[ENV.jwtSecret];
  return {
    ...environment,
    [ENV.managementEndpoint]: input.managementEndpoint,
    // Told only to the functions the template tells it to (those that post to the whiteboard API).
    ...(environment[ENV.whiteboardManagementEndpoint] !== undefined
      ? { [ENV.whiteboardManagementEndpoint]: input.whiteboardManagementEndpoint }
      : {}),
    AWS_REGION: input.region,
    AWS_DEFAULT_REGION: input.region,
    // The key tells the IAM checks which function's role is calling.
    AWS_ACCESS_KEY_ID: input.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: input.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: input.dynamodbEndpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: input.secretsManagerEndpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_LAMBDA_FUNCTION_NAME: input.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(input.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    ...(input.runtime ? { AWS_EXECUTION_ENV: `AWS_Lambda_${input.runtime}` } : {}),
    NODE_PATH: input.nodePath,
    // The runtime is Node 22; the SDK's notice about older Node versions is noise here.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    TZ: 'UTC',
    LANG: 'en_US.UTF-8',
  };
}
