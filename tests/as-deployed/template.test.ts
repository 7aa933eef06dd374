import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyStatement as CdkPolicyStatement } from 'aws-cdk-lib/aws-iam';
import { ENV } from '../../shared/env';
import { apiOf, FUNCTIONS, type TableAccess } from '../../shared/routes';
import { TABLES } from '../../shared/tables';
import { evaluateAccess } from '../../infra/local/as-deployed/iam';
import {
  connectionArn,
  indexArn,
  invokeArn,
  localAwsIdentity,
  PLATFORM_API_ID,
  tableArn,
  WHITEBOARD_API_ID,
} from '../../infra/local/as-deployed/local-identity';
import { INVOKE_ACTION, PLATFORM_ROUTES, PLATFORM_STAGE, routePath } from '../../shared/platform-api';
import { readDeployedStack, type DeployedStack } from '../../infra/local/as-deployed/template';
import { STACK_NAME, synthesize, type Synthesized } from '../infra/support/synth';

const identity = localAwsIdentity('local');
/** A statement the evaluator cannot judge, so it must never allow (and must be reported). */
const CONDITIONAL_FUNCTION = 'ping';

let synth: Synthesized;
let stack: DeployedStack;
beforeAll(async () => {
  synth = synthesize(
    {},
    {
      bundle: true,
      extend: (signaling) =>
        signaling.handlers.functions.get(CONDITIONAL_FUNCTION)?.function.addToRolePolicy(
          new CdkPolicyStatement({
            actions: ['dynamodb:GetItem'],
            resources: ['*'],
            conditions: { StringEquals: { 'aws:SourceVpc': 'vpc-1' } },
          }),
        ),
    },
  );
  stack = await readDeployedStack(synth.outdir, { ...identity, stackName: STACK_NAME });
}, 120_000);
afterAll(() => synth?.cleanup());

const deployed = (id: string) => {
  const fn = stack.functions.find((candidate) => candidate.id === id);
  if (!fn) throw new Error(`${id} was not read`);
  return fn;
};

describe('reading the synthesized stack as deployed', () => {
  it('finds every function of the function table, with its bundle and handler', () => {
    expect(stack.functions.map((fn) => fn.id)).toEqual(FUNCTIONS.map((definition) => definition.id));
    for (const fn of stack.functions) {
      expect(fn.handler, fn.id).toMatchObject({ module: 'index', exportName: 'handler' });
      expect(fn.handler.file, fn.id).toBe(join(fn.assetDir, 'index.js'));
      expect(existsSync(fn.handler.file), fn.id).toBe(true);
      expect(fn.assetDir.startsWith(synth.outdir), fn.id).toBe(true);
      expect(fn.timeoutSeconds, fn.id).toBeGreaterThan(0);
      expect(fn.memorySizeMb, fn.id).toBeGreaterThanOrEqual(128);
      expect(fn.functionName, fn.id).toBe(`${STACK_NAME}-${fn.id}`);
    }
    expect(new Set(stack.functions.map((fn) => fn.roleName)).size).toBe(FUNCTIONS.length);
  });

  it('resolves every environment variable to a plain local value', () => {
    for (const fn of stack.functions) {
      for (const [name, value] of Object.entries(fn.environment)) {
        expect(value, `${fn.id} ${name}`).not.toMatch(/\[object Object\]|\$\{|Fn::|"Ref"|undefined/);
      }
      for (const table of TABLES) expect(fn.environment[table.envName], fn.id).toBe(table.localName);
      // Each function is told the @connections endpoint of the API it posts to (the whiteboard's under its own name too).
      const apiId = apiOf(fn.definition) === 'whiteboard' ? WHITEBOARD_API_ID : 'local';
      const stageName = apiOf(fn.definition) === 'whiteboard' ? stack.whiteboardStageName : stack.stageName;
      expect(fn.environment[ENV.managementEndpoint], fn.id).toBe(`https://${apiId}.execute-api.us-east-1.amazonaws.com/${stageName}`);
      if (apiOf(fn.definition) === 'whiteboard') {
        expect(fn.environment[ENV.whiteboardManagementEndpoint], fn.id).toBe(fn.environment[ENV.managementEndpoint]);
      }
      expect(fn.environment[ENV.jwtSecretArn], fn.id).toBe(fn.definition.access.signingSecret ? stack.secretArn : undefined);
    }
  });

  it('reads the stage, the tables and the signing secret', () => {
    expect(stack.stageName).toBe(synth.stack.api.stage.stageName);
    expect(stack.whiteboardStageName).toBe(synth.stack.whiteboardApi.stage.stageName);
    expect(Object.values(stack.tables).sort()).toEqual(TABLES.map((table) => table.localName).sort());
    expect(stack.tables[synth.logicalId(synth.stack.data.tables.callLogs)]).toBe('call_logs');
    expect(stack.secretArn).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:.+-[A-Za-z0-9]{6}$/);
  });

  it('grants each function exactly the table access the function table declares', () => {
    const expected: Record<TableAccess, { read: boolean; write: boolean }> = {
      none: { read: false, write: false },
      read: { read: true, write: false },
      readwrite: { read: true, write: true },
    };
    const tableAccess = {
      connections: 'connections',
      call_logs: 'callLogs',
      profile_settings: 'profileSettings',
      whiteboard_call_history: 'whiteboardCalls',
    } as const;
    for (const fn of stack.functions) {
      for (const table of TABLES) {
        const declared = expected[fn.definition.access[tableAccess[table.localName]] ?? 'none'];
        // Rate counters are updated in `connections`, quality summaries in `call_logs`, by functions that may not otherwise write them.
        const updatesCounters =
          (table.localName === 'connections' && fn.definition.access.rateCounters === true) ||
          (table.localName === 'call_logs' && fn.definition.access.callLogUpdates === true) ||
          (table.localName === 'whiteboard_call_history' && fn.definition.access.whiteboardCallUpdates === true);
        const arn = tableArn(identity, table.localName);
        const label = `${fn.id} on ${table.localName}`;
        expect(evaluateAccess(fn.statements, 'dynamodb:GetItem', arn).allowed, `${label} GetItem`).toBe(declared.read);
        expect(evaluateAccess(fn.statements, 'dynamodb:UpdateItem', arn).allowed, `${label} UpdateItem`).toBe(
          declared.write || updatesCounters,
        );
        expect(evaluateAccess(fn.statements, 'dynamodb:PutItem', arn).allowed, `${label} PutItem`).toBe(declared.write);
        for (const index of table.indexes) {
          expect(
            evaluateAccess(fn.statements, 'dynamodb:Query', indexArn(arn, index.indexName)).allowed,
            `${label} Query ${index.indexName}`,
          ).toBe(declared.read);
        }
      }
    }
  });

  it('lets only the functions that post manage connections, on this stage only', () => {
    const whiteboard = localAwsIdentity(WHITEBOARD_API_ID);
    for (const fn of stack.functions) {
      // Each function reaches the sockets of its own API only (the chat API's or the whiteboard API's).
      const ownIsWhiteboard = apiOf(fn.definition) === 'whiteboard';
      const chatPost = connectionArn(identity, stack.stageName, 'POST', 'Ab1cD2eF3gH=');
      const whiteboardPost = connectionArn(whiteboard, stack.whiteboardStageName ?? 'none', 'POST', 'Ab1cD2eF3gH=');
      const [post, otherApi] = ownIsWhiteboard ? [whiteboardPost, chatPost] : [chatPost, whiteboardPost];
      expect(evaluateAccess(fn.statements, 'execute-api:ManageConnections', post).allowed, fn.id).toBe(
        fn.definition.access.manageConnections,
      );
      expect(evaluateAccess(fn.statements, 'execute-api:ManageConnections', otherApi).allowed, fn.id).toBe(false);
      const otherStage = connectionArn(identity, 'other', 'POST', 'Ab1cD2eF3gH=');
      expect(evaluateAccess(fn.statements, 'execute-api:ManageConnections', otherStage).allowed, fn.id).toBe(false);
    }
  });

  it('lets only the functions that verify tokens read the signing secret', () => {
    for (const fn of stack.functions) {
      expect(evaluateAccess(fn.statements, 'secretsmanager:GetSecretValue', stack.secretArn).allowed, fn.id).toBe(
        fn.definition.access.signingSecret,
      );
    }
  });

  it('reports statements with a condition, which never allow here', () => {
    for (const fn of stack.functions) {
      expect(fn.conditionalStatements.length, fn.id).toBe(fn.id === CONDITIONAL_FUNCTION ? 1 : 0);
    }
    const ping = deployed(CONDITIONAL_FUNCTION);
    expect(ping.conditionalStatements[0]?.condition).toEqual({ StringEquals: { 'aws:SourceVpc': 'vpc-1' } });
    expect(evaluateAccess(ping.statements, 'dynamodb:GetItem', tableArn(identity, 'connections')).allowed).toBe(false);
  });

  it('lists the managed policies it does not evaluate', () => {
    for (const fn of stack.functions) {
      expect(fn.externalManagedPolicyArns, fn.id).toEqual(['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']);
    }
  });

  it("reads the platform API's invoke policy: execute-api:Invoke on exactly its routes, nothing else", () => {
    const invokes = (method: string, path: string, apiId = PLATFORM_API_ID, stage = PLATFORM_STAGE) =>
      evaluateAccess(stack.platformInvokeStatements, INVOKE_ACTION, invokeArn(identity, apiId, stage, method, path)).allowed;
    const routes = FUNCTIONS.flatMap((definition) => (definition.trigger.kind === 'http' ? [definition.trigger] : []));
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) {
      expect(invokes(route.method, routePath(route, { profile_type: 'tutor', profile_id: 42 })), `${route.method} ${route.path}`).toBe(
        true,
      );
    }
    expect(invokes('GET', routePath(PLATFORM_ROUTES.presence))).toBe(false);
    expect(invokes('POST', '/v1/everything')).toBe(false);
    expect(invokes('POST', routePath(PLATFORM_ROUTES.presence), 'another-api')).toBe(false);
    expect(invokes('POST', routePath(PLATFORM_ROUTES.presence), PLATFORM_API_ID, 'other-stage')).toBe(false);
    const connections = connectionArn(identity, stack.stageName, 'POST', 'abc=');
    expect(evaluateAccess(stack.platformInvokeStatements, 'execute-api:ManageConnections', connections).allowed).toBe(false);
    expect(evaluateAccess(stack.platformInvokeStatements, INVOKE_ACTION, connections).allowed).toBe(false);
  });

  it('names a function of the function table that the template lacks', async () => {
    const [first] = FUNCTIONS;
    if (!first) throw new Error('empty function table');
    const definitions = [...FUNCTIONS, { ...first, id: 'no-such-thing' }];
    await expect(readDeployedStack(synth.outdir, { ...identity, stackName: STACK_NAME, definitions })).rejects.toThrow(
      /no Lambda function for: no-such-thing \(NoSuchThingHandler\)/,
    );
  });

  it('names the functions whose bundle is missing', async () => {
    const bare = mkdtempSync(join(tmpdir(), 'callsignal-bare-assembly-'));
    try {
      for (const file of ['manifest.json', 'tree.json', `${STACK_NAME}.template.json`])
        copyFileSync(join(synth.outdir, file), join(bare, file));
      await expect(readDeployedStack(bare, { ...identity, stackName: STACK_NAME })).rejects.toThrow(
        /Bundles missing .*authorizer: .*asset\.[0-9a-f]+\/index\.js/,
      );
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
