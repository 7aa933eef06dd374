/**
 * The gateway's functions as the stack deploys them: each function of the synthesized template runs
 * from its bundle in containers of its own (`container-pool.ts`), signs its AWS calls with a key of
 * its own, and reaches DynamoDB and Secrets Manager only through endpoints that check that key's
 * role statements. What the gateway gets back is the same `GatewayFunctions` as in source mode:
 * only `LoadedFunction.handler` differs, dispatching to the containers.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { byTrigger, type GatewayFunctions } from '../functions';
import { DEFAULT_FUNCTION_CONCURRENCY, type FunctionConcurrency } from '../function-concurrency';
import type { GatewayLog } from '../log';
import { PROJECT_ROOT } from '../paths';
import { problemInLine, type ProblemLine } from '../problems';
import { bundleBootstrap } from './bootstrap-bundle';
import { authorizeCallers, type Authorize, type Caller } from './caller-authorization';
import { containerEnvironment, type FunctionCredentials } from './container-environment';
import { ContainerPool, type ContainerInfo } from './container-pool';
import { startDynamoDbProxy } from './dynamodb-proxy';
import type { LocalAwsIdentity } from './local-identity';
import { startSecretsEndpoint } from './secrets-endpoint';
import { createTaskRoots } from './task-root';
import { secretsOf, type SecretOf } from '../signature-v4';
import type { DeployedFunction, DeployedStack } from './template';

export interface DeployedFunctionsOptions {
  stack: DeployedStack;
  identity: LocalAwsIdentity;
  /** The embedded store, behind the IAM proxy. */
  storeEndpoint: string;
  /** The value of the stack's signing secret, served by the secrets endpoint. */
  signingSecret: string;
  /** The gateway's own @connections API, on the template's stage. */
  managementEndpoint: string;
  /** The whiteboard API's @connections endpoint, for the functions that post to its sockets. */
  whiteboardManagementEndpoint: string;
  /** Handler settings the gateway was given, over the template's (`handlerSettingOverrides`). */
  overrides: Readonly<Record<string, string>>;
  /** Each function's concurrency limit: its containers at most. */
  concurrency: FunctionConcurrency;
  containerIdleSeconds: number;
  log: GatewayLog;
  /** Each problem line a container writes (a handler's own `handler_failed`). */
  keepProblem(problem: ProblemLine): void;
}

export interface DeployedFunctions {
  functions: GatewayFunctions;
  /** By the caller's access key, as the proxy and the endpoints ask it; denials are logged. */
  authorize: Authorize;
  /** The secret of each function's key: the local endpoints accept signatures by these keys only. */
  secretOf: SecretOf;
  /** The IAM-checking proxy in front of the store, as the functions see DynamoDB. */
  dynamodbEndpoint: string;
  secretsManagerEndpoint: string;
  /** The key a function signs its AWS calls with. */
  credentialsOf(functionId: string): FunctionCredentials;
  /** Every running container, for measurements. */
  containers(): ContainerInfo[];
  /** Stops every container, the proxy and the endpoint, and removes the task roots. */
  close(): Promise<void>;
}

/** An access key id shaped like an AWS one (`ASIA` + 16), unique per function per start. */
function newCredentials(): FunctionCredentials {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const suffix = [...randomBytes(16)].map((byte) => alphabet[byte % alphabet.length]).join('');
  return { accessKeyId: `ASIA${suffix}`, secretAccessKey: randomBytes(30).toString('base64') };
}

/** The decision, and one loud line for each refusal, naming the function, action and resource. */
function loggingDenials(authorize: Authorize, functionByKey: ReadonlyMap<string, DeployedFunction>, log: GatewayLog): Authorize {
  return (accessKeyId, action, resource) => {
    const decision = authorize(accessKeyId, action, resource);
    if (decision.verdict !== 'allowed') {
      log.error('iam_denied', {
        function: functionByKey.get(accessKeyId)?.id ?? null,
        action,
        resource,
        ...(decision.verdict === 'denied'
          ? { role: decision.principal.roleName, explicit_deny: decision.explicitDeny }
          : { reason: 'unknown access key', access_key_id: accessKeyId }),
      });
    }
    return decision;
  };
}

/** Grants CloudWatch Logs writes only, which the runtime makes and no handler does: nothing here needs it. */
const BASIC_EXECUTION_ROLE = /:policy\/service-role\/AWSLambdaBasicExecutionRole$/;

/** What IAM here cannot judge: conditions (they fail closed) and managed policies from outside the template. */
function warnAboutUnevaluated(stack: DeployedStack, log: GatewayLog): void {
  for (const fn of stack.functions) {
    for (const statement of fn.conditionalStatements) {
      log.warn('iam_condition_not_evaluated', {
        function: fn.id,
        policy: statement.source,
        effect: statement.effect,
        actions: statement.actions.patterns,
        note: 'statements with a Condition never allow here (and always deny when they match)',
      });
    }
  }
  const external = new Set(stack.functions.flatMap((fn) => fn.externalManagedPolicyArns).filter((arn) => !BASIC_EXECUTION_ROLE.test(arn)));
  if (external.size > 0) {
    log.warn('iam_managed_policies_not_evaluated', { policies: [...external], note: 'what only they allow is denied here' });
  }
}

export async function startDeployedFunctions(options: DeployedFunctionsOptions): Promise<DeployedFunctions> {
  const { stack, identity, log } = options;
  warnAboutUnevaluated(stack, log);
  const credentials = new Map(stack.functions.map((fn) => [fn.id, newCredentials()]));
  const keyOf = (fn: DeployedFunction): FunctionCredentials => credentials.get(fn.id)!;
  const callers = new Map<string, Caller>(stack.functions.map((fn) => [keyOf(fn).accessKeyId, fn]));
  const functionByKey = new Map(stack.functions.map((fn) => [keyOf(fn).accessKeyId, fn]));
  const authorize = loggingDenials(authorizeCallers(callers), functionByKey, log);
  const secretOf = secretsOf([...credentials.values()]);

  const undo: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const step of undo.splice(0).reverse()) {
      await step().catch((error: unknown) => log.warn('shutdown_step_failed', { error: String(error) }));
    }
  };
  try {
    const taskRoots = await createTaskRoots();
    undo.push(() => taskRoots.remove());
    const bootstrapPath = await bundleBootstrap(taskRoots.dir);
    const proxy = await startDynamoDbProxy({ upstream: options.storeEndpoint, authorize, secretOf, identity });
    undo.push(() => proxy.close());
    const secrets = await startSecretsEndpoint({
      secrets: new Map([[stack.secretArn, { name: stack.secretName, value: options.signingSecret }]]),
      authorize,
      secretOf,
      identity,
    });
    undo.push(() => secrets.close());

    const pool = new ContainerPool({
      bootstrapPath,
      maxContainersPerFunction: DEFAULT_FUNCTION_CONCURRENCY,
      idleMs: options.containerIdleSeconds * 1000,
      log,
      output: (spec, stream, line) => {
        const problem = problemInLine(line, spec.id);
        if (problem) options.keepProblem(problem);
        (stream === 'stdout' ? process.stdout : process.stderr).write(`${line}\n`);
      },
    });
    undo.push(() => pool.close());

    const entries = [];
    for (const fn of stack.functions) {
      const taskRoot = await taskRoots.add(fn.id, fn.assetDir);
      const containers = pool.add({
        id: fn.id,
        functionName: fn.functionName,
        taskRoot,
        handler: `${fn.handler.module}.${fn.handler.exportName}`,
        environment: containerEnvironment({
          template: fn.environment,
          overrides: options.overrides,
          functionName: fn.functionName,
          memoryMb: fn.memorySizeMb,
          runtime: fn.runtime,
          region: identity.region,
          credentials: keyOf(fn),
          dynamodbEndpoint: proxy.url,
          secretsManagerEndpoint: secrets.url,
          managementEndpoint: options.managementEndpoint,
          whiteboardManagementEndpoint: options.whiteboardManagementEndpoint,
          nodePath: join(PROJECT_ROOT, 'node_modules'),
        }),
        timeoutSeconds: fn.timeoutSeconds,
        memoryMb: fn.memorySizeMb,
        maxContainers: options.concurrency.limitOf(fn.id),
      });
      const loaded = {
        id: fn.id,
        entry: taskRoot,
        handler: (event: unknown, context: Parameters<typeof containers.invoke>[1]) => containers.invoke(event, context),
        deployed: { functionName: fn.functionName, timeoutSeconds: fn.timeoutSeconds, memoryMb: fn.memorySizeMb },
      };
      // A grouped function serves each of its routes from the same containers, as its integrations do on AWS.
      for (const definition of fn.members) entries.push({ definition, fn: loaded });
    }
    return {
      functions: byTrigger(entries),
      authorize,
      secretOf,
      dynamodbEndpoint: proxy.url,
      secretsManagerEndpoint: secrets.url,
      credentialsOf: (functionId) => {
        const found = credentials.get(functionId);
        if (!found) throw new Error(`No function ${functionId} in ${stack.stackName}`);
        return found;
      },
      containers: () => pool.info(),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
