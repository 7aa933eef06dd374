/**
 * What AWS would run, read from the synthesized template: for every function of the function table
 * (`shared/routes.ts`) its bundle, handler, environment, limits, role and IAM statements, with every
 * intrinsic resolved against the local account; plus the stage, the tables and the signing secret.
 * Anything the gateway would otherwise have to guess is an error naming what is missing.
 */
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FUNCTIONS, groupIdOf, type FunctionDefinition } from '../../../shared/routes';
import { TABLES, type TableDefinition } from '../../../shared/tables';
import { SIGNING_SECRET_TAG } from '../../aws/signing-secret-tag';
import { pascalCase } from '../../aws/signaling-api';
import {
  getAttTarget,
  isRecord,
  logicalIdsOfType,
  readStackTemplate,
  refTarget,
  type StackTemplate,
  type TemplateResource,
} from './cloud-assembly';
import { matchTables } from './deployed-tables';
import type { PolicyStatement } from './iam';
import { resolveString, type LocalResource, type ResolutionScope } from './intrinsics';
import { functionArn, PLATFORM_API_ID, roleArn, secretArn, tableArn, WHITEBOARD_API_ID, type LocalAwsIdentity } from './local-identity';
import { managedPolicyStatements, rolePolicies } from './role-policies';

export interface HandlerReference {
  /** Module path inside the asset directory, without extension (`index`). */
  readonly module: string;
  /** The export Lambda calls (`handler`). */
  readonly exportName: string;
  /** Absolute path of the module's file. */
  readonly file: string;
}

export interface DeployedFunction {
  /** Its table entry's id, or its group's (`chat-routes`, …) under the grouped layout. */
  readonly id: string;
  /** Its first member: the only one under the per-route layout (a grouped function has several, `members`). */
  readonly definition: FunctionDefinition;
  /** The function table entries it serves, in table order. */
  readonly members: readonly FunctionDefinition[];
  readonly logicalId: string;
  readonly handler: HandlerReference;
  /** Absolute path of the function's bundle directory (`cdk.out/asset.<hash>`). */
  readonly assetDir: string;
  readonly runtime: string | undefined;
  /** The template's variables, resolved; what the runtime itself sets (AWS_REGION, credentials, endpoints) is not here. */
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memorySizeMb: number;
  /** `ReservedConcurrentExecutions`, when the template sets it: the function's concurrency limit. */
  readonly reservedConcurrency: number | undefined;
  readonly roleName: string;
  readonly roleArn: string;
  readonly functionName: string;
  readonly functionArn: string;
  readonly statements: readonly PolicyStatement[];
  /** Statements with a `Condition`: never allow here (fail closed), worth a warning. */
  readonly conditionalStatements: readonly PolicyStatement[];
  /** Managed policies from outside the template (AWS managed), not evaluated. */
  readonly externalManagedPolicyArns: readonly string[];
}

export interface DeployedStack {
  readonly stackName: string;
  /** The WebSocket API's stage: the management API's path and the execute-api ARNs use it. */
  readonly stageName: string;
  /** The whiteboard API's stage, when the stack has one. */
  readonly whiteboardStageName?: string;
  /** One per Lambda function (per entry of the function table, or per group), in table order. */
  readonly functions: readonly DeployedFunction[];
  /** Table logical id → local table name. */
  readonly tables: Readonly<Record<string, string>>;
  /** Local ARN and name of the JWT signing secret. */
  readonly secretArn: string;
  readonly secretName: string;
  /** The managed policy the platform backend's role is given (`execute-api:Invoke` on the platform API's routes). */
  readonly platformInvokeStatements: readonly PolicyStatement[];
}

export interface ReadDeployedStackOptions extends LocalAwsIdentity {
  /** Needed only when the assembly holds more than one stack. */
  readonly stackName?: string;
  /** The function table; the shared one unless a test narrows it. */
  readonly definitions?: readonly FunctionDefinition[];
  readonly tableDefinitions?: readonly TableDefinition[];
}

/** Lambda's defaults for a function that does not set them. */
const DEFAULT_TIMEOUT_SECONDS = 3;
const DEFAULT_MEMORY_MB = 128;
const MODULE_EXTENSIONS = ['.js', '.mjs', '.cjs'];

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * The Lambda function serving a function table entry: `…/<PascalId>Handler/Function/Resource` (see
 * `infra/aws/call-handlers.ts`), its own under the per-route layout or its group's under the grouped
 * one; whichever the template has, so either layout runs as synthesized.
 */
function findFunctionResource(
  template: StackTemplate,
  definition: FunctionDefinition,
): { functionId: string; logicalId: string } | undefined {
  for (const functionId of new Set([definition.id, groupIdOf(definition)])) {
    const suffix = `/${pascalCase(functionId)}Handler/Function/Resource`;
    const logicalId = logicalIdsOfType(template, 'AWS::Lambda::Function').find(
      (candidate) => template.constructPaths.get(candidate)?.endsWith(suffix) ?? false,
    );
    if (logicalId) return { functionId, logicalId };
  }
  return undefined;
}

/** The platform API's invoke policy: `…/Platform/InvokePolicy/Resource` (see `infra/aws/platform-api.ts`). */
const INVOKE_POLICY_PATH = '/Platform/InvokePolicy/Resource';

function invokePolicy(template: StackTemplate): string | undefined {
  return logicalIdsOfType(template, 'AWS::IAM::ManagedPolicy').find(
    (logicalId) => template.constructPaths.get(logicalId)?.endsWith(INVOKE_POLICY_PATH) ?? false,
  );
}

function single(ids: string[], what: string, stackName: string): string {
  const [only] = ids;
  if (ids.length !== 1 || only === undefined)
    throw new Error(`${stackName} has ${ids.length} ${what}, expected exactly one${ids.length ? `: ${ids.join(', ')}` : ''}`);
  return only;
}

/** The whiteboard API's construct (`infra/aws/signaling-stack.ts`): a WebSocket API of its own. */
const WHITEBOARD_API_PATH = '/Whiteboard/Api/Resource';

const isWhiteboardApi = (template: StackTemplate, logicalId: string): boolean =>
  template.constructPaths.get(logicalId)?.endsWith(WHITEBOARD_API_PATH) ?? false;

/** The chat calls' WebSocket API, and the whiteboard API when the stack has one. */
function webSocketApis(template: StackTemplate): { chat: string; whiteboard: string | undefined } {
  const apis = logicalIdsOfType(template, 'AWS::ApiGatewayV2::Api').filter(
    (id) => template.resources.get(id)?.Properties.ProtocolType === 'WEBSOCKET',
  );
  const whiteboard = apis.filter((id) => isWhiteboardApi(template, id));
  return {
    chat: single(
      apis.filter((id) => !isWhiteboardApi(template, id)),
      'WebSocket APIs besides the whiteboard API',
      template.stackName,
    ),
    whiteboard: whiteboard.length === 0 ? undefined : single(whiteboard, 'whiteboard APIs', template.stackName),
  };
}

function signingSecret(template: StackTemplate, scope: ResolutionScope): string {
  const tagged = logicalIdsOfType(template, 'AWS::SecretsManager::Secret').filter((id) => {
    const tags = template.resources.get(id)?.Properties.Tags;
    return (
      Array.isArray(tags) &&
      tags.some(
        (tag) =>
          isRecord(tag) &&
          tag.Key === SIGNING_SECRET_TAG &&
          resolveString(tag.Value, scope, `${id}.Properties.Tags`) === template.stackName,
      )
    );
  });
  return single(tagged, `secrets tagged ${SIGNING_SECRET_TAG}=${template.stackName}`, template.stackName);
}

const namedOr = (resource: TemplateResource | undefined, property: string, fallback: string): string => {
  const name = resource?.Properties[property];
  return typeof name === 'string' ? name : fallback;
};

interface LocalNames {
  resources: Map<string, LocalResource>;
  secretNames: Map<string, string>;
}

/** The local value of every resource the handlers may name: tables, secrets, the API and its stages, roles, functions. */
function localNames(
  template: StackTemplate,
  identity: LocalAwsIdentity,
  tables: ReadonlyMap<string, TableDefinition>,
  functionNames: ReadonlyMap<string, string>,
): LocalNames {
  const resources = new Map<string, LocalResource>();
  const secretNames = new Map<string, string>();
  const { stackName } = template;
  for (const [logicalId, resource] of template.resources) {
    switch (resource.Type) {
      case 'AWS::DynamoDB::GlobalTable':
      case 'AWS::DynamoDB::Table': {
        const definition = tables.get(logicalId);
        if (definition)
          resources.set(logicalId, { ref: definition.localName, attributes: { Arn: tableArn(identity, definition.localName) } });
        break;
      }
      case 'AWS::SecretsManager::Secret': {
        const name = namedOr(resource, 'Name', `${stackName}/${logicalId}`);
        const arn = secretArn(identity, name);
        secretNames.set(logicalId, name);
        resources.set(logicalId, { ref: arn, attributes: { Id: arn } });
        break;
      }
      case 'AWS::ApiGatewayV2::Api': {
        const apiId = isWhiteboardApi(template, logicalId) ? WHITEBOARD_API_ID : identity.apiId;
        const endpoint = `wss://${apiId}.execute-api.${identity.region}.${identity.urlSuffix}`;
        if (resource.Properties.ProtocolType === 'WEBSOCKET')
          resources.set(logicalId, { ref: apiId, attributes: { ApiId: apiId, ApiEndpoint: endpoint } });
        if (resource.Properties.ProtocolType === 'HTTP') {
          const platformEndpoint = `https://${PLATFORM_API_ID}.execute-api.${identity.region}.${identity.urlSuffix}`;
          resources.set(logicalId, { ref: PLATFORM_API_ID, attributes: { ApiId: PLATFORM_API_ID, ApiEndpoint: platformEndpoint } });
        }
        break;
      }
      case 'AWS::ApiGatewayV2::Stage': {
        const stageName = resource.Properties.StageName;
        if (typeof stageName === 'string') resources.set(logicalId, { ref: stageName, attributes: {} });
        break;
      }
      case 'AWS::IAM::Role': {
        const name = namedOr(resource, 'RoleName', `${stackName}-${logicalId}`);
        resources.set(logicalId, { ref: name, attributes: { Arn: roleArn(identity, name) } });
        break;
      }
      case 'AWS::Lambda::Function': {
        const name = functionNames.get(logicalId) ?? namedOr(resource, 'FunctionName', `${stackName}-${logicalId}`);
        resources.set(logicalId, { ref: name, attributes: { Arn: functionArn(identity, name) } });
        break;
      }
    }
  }
  return { resources, secretNames };
}

function parseHandler(handler: unknown, logicalId: string): { module: string; exportName: string } {
  const dot = typeof handler === 'string' ? handler.lastIndexOf('.') : -1;
  if (typeof handler !== 'string' || dot <= 0 || dot === handler.length - 1) {
    throw new Error(`${logicalId}.Properties.Handler must be "<module>.<export>", got ${JSON.stringify(handler)}`);
  }
  return { module: handler.slice(0, dot), exportName: handler.slice(dot + 1) };
}

async function handlerFile(assetDir: string, module: string): Promise<string | undefined> {
  for (const extension of MODULE_EXTENSIONS) {
    const file = join(assetDir, `${module}${extension}`);
    if (await exists(file)) return file;
  }
  return undefined;
}

/** The bundle directory of a function: `Code.S3Key` is `<hash>.zip`, staged as `asset.<hash>`. */
function assetDirOf(cdkOutDir: string, resource: TemplateResource, logicalId: string): string {
  const code = resource.Properties.Code;
  const key = isRecord(code) ? code.S3Key : undefined;
  if (typeof key !== 'string' || !key.endsWith('.zip')) throw new Error(`${logicalId} has no bundled code (Code.S3Key "<hash>.zip")`);
  return resolve(cdkOutDir, `asset.${key.slice(0, -'.zip'.length)}`);
}

function environmentOf(resource: TemplateResource, logicalId: string, scope: ResolutionScope): Record<string, string> {
  const environment = resource.Properties.Environment;
  const variables = isRecord(environment) && isRecord(environment.Variables) ? environment.Variables : {};
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [
      name,
      resolveString(value, scope, `${logicalId}.Properties.Environment.Variables.${name}`),
    ]),
  );
}

const numberOr = (value: unknown, fallback: number): number => (typeof value === 'number' ? value : fallback);
const wholeOrUndefined = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;

export async function readDeployedStack(cdkOutDir: string, options: ReadDeployedStackOptions): Promise<DeployedStack> {
  const { stackName, definitions = FUNCTIONS, tableDefinitions = TABLES, ...identity } = options;
  const template = await readStackTemplate(cdkOutDir, stackName);

  const byLogicalId = new Map<string, { functionId: string; logicalId: string; members: FunctionDefinition[] }>();
  const missing: string[] = [];
  for (const definition of definitions) {
    const resource = findFunctionResource(template, definition);
    if (!resource) {
      const looked = [...new Set([definition.id, groupIdOf(definition)])].map((id) => `${pascalCase(id)}Handler`);
      missing.push(`${definition.id} (${looked.join(' or ')})`);
      continue;
    }
    const known = byLogicalId.get(resource.logicalId);
    if (known) known.members.push(definition);
    else byLogicalId.set(resource.logicalId, { ...resource, members: [definition] });
  }
  if (missing.length > 0) throw new Error(`${template.stackName} in ${cdkOutDir} has no Lambda function for: ${missing.join(', ')}`);
  const found = [...byLogicalId.values()];

  const functionNames = new Map(found.map(({ functionId, logicalId }) => [logicalId, `${template.stackName}-${functionId}`]));
  const tables = matchTables(template, tableDefinitions);
  const { resources, secretNames } = localNames(template, identity, tables, functionNames);
  const resourceTypes = new Map([...template.resources].map(([logicalId, resource]) => [logicalId, resource.Type]));
  const scope: ResolutionScope = { identity, stackName: template.stackName, resources, parameters: template.parameters, resourceTypes };

  const apis = webSocketApis(template);
  const stageNameOf = (apiId: string): string => {
    const stageId = single(
      logicalIdsOfType(template, 'AWS::ApiGatewayV2::Stage').filter(
        (id) => refTarget(template.resources.get(id)?.Properties.ApiId) === apiId,
      ),
      `stages of the WebSocket API ${apiId}`,
      template.stackName,
    );
    return resolveString(template.resources.get(stageId)?.Properties.StageName, scope, `${stageId}.Properties.StageName`);
  };
  const stageName = stageNameOf(apis.chat);
  const whiteboardStageName = apis.whiteboard === undefined ? undefined : stageNameOf(apis.whiteboard);
  const secretId = signingSecret(template, scope);
  const secret = resources.get(secretId);
  const secretName = secretNames.get(secretId);
  if (!secret || secretName === undefined) throw new Error(`The signing secret ${secretId} has no local name`);

  const functions: DeployedFunction[] = [];
  const absentBundles: string[] = [];
  for (const { functionId, logicalId, members } of found) {
    const [definition] = members;
    const resource = template.resources.get(logicalId);
    if (!resource || !definition) continue;
    const assetDir = assetDirOf(cdkOutDir, resource, logicalId);
    const { module, exportName } = parseHandler(resource.Properties.Handler, logicalId);
    const file = await handlerFile(assetDir, module);
    if (!file) {
      absentBundles.push(`${functionId}: ${join(assetDir, module)}.js`);
      continue;
    }
    const roleId = getAttTarget(resource.Properties.Role, 'Arn');
    if (!roleId) throw new Error(`${logicalId}.Properties.Role is not the Arn of a role in the template`);
    const { statements, externalManagedPolicyArns } = rolePolicies(template, roleId, scope);
    const role = resources.get(roleId);
    const deployedName = resources.get(logicalId);
    if (!role || !deployedName) throw new Error(`${logicalId} or its role ${roleId} has no local name`);
    const runtime = resource.Properties.Runtime;
    functions.push({
      id: functionId,
      definition,
      members,
      logicalId,
      handler: { module, exportName, file },
      assetDir,
      runtime: typeof runtime === 'string' ? runtime : undefined,
      environment: environmentOf(resource, logicalId, scope),
      timeoutSeconds: numberOr(resource.Properties.Timeout, DEFAULT_TIMEOUT_SECONDS),
      memorySizeMb: numberOr(resource.Properties.MemorySize, DEFAULT_MEMORY_MB),
      reservedConcurrency: wholeOrUndefined(resource.Properties.ReservedConcurrentExecutions),
      roleName: role.ref,
      roleArn: role.attributes.Arn ?? roleArn(identity, role.ref),
      functionName: deployedName.ref,
      functionArn: deployedName.attributes.Arn ?? functionArn(identity, deployedName.ref),
      statements,
      conditionalStatements: statements.filter((statement) => statement.condition !== undefined),
      externalManagedPolicyArns,
    });
  }
  if (absentBundles.length > 0)
    throw new Error(`Bundles missing from ${cdkOutDir} (synthesize with bundling): ${absentBundles.join(', ')}`);

  const platformPolicy = invokePolicy(template);
  if (!platformPolicy && definitions.some((definition) => definition.trigger.kind === 'http')) {
    throw new Error(`${template.stackName} has platform API functions but no invoke policy (…${INVOKE_POLICY_PATH})`);
  }
  return {
    stackName: template.stackName,
    stageName,
    ...(whiteboardStageName !== undefined ? { whiteboardStageName } : {}),
    functions,
    platformInvokeStatements: platformPolicy ? managedPolicyStatements(template, platformPolicy, scope) : [],
    tables: Object.fromEntries([...tables].map(([logicalId, definition]) => [logicalId, definition.localName])),
    secretArn: secret.ref,
    secretName,
  };
}
