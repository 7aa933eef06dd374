/**
 * `-c functionLayout=grouped`: one Lambda function per API instead of one per route. Every route
 * keeps its own route and integration, pointing at its group's function; that function's role holds
 * the union of its routes' grants; cdk-nag and cfn-lint stay clean. One synthesis for the file.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAppSettings } from '../../infra/aws/app-settings';
import { TABLE_KEYS, type TableKey } from '../../infra/aws/data';
import { deployedFunctionSpecs, FUNCTIONS, groupIdOf, mayWrite, type FunctionDefinition } from '../../shared/routes';
import { resourcesOfType, synthesize, type Synthesized, type Statement } from './support/synth';

let synth: Synthesized;
beforeAll(() => {
  // With cdk-nag: an unacknowledged finding makes synthesis throw.
  synth = synthesize({ functionLayout: 'grouped' }, { nag: true });
}, 120_000);
afterAll(() => synth?.cleanup());

const GROUPS = deployedFunctionSpecs('grouped').filter((spec) => spec.members.length > 1);
const functionLogicalId = (functionId: string): string => synth.logicalId(synth.stack.handlers.functions.get(functionId)!.function);
const actionsOf = (statement: Statement): string[] => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]);
const mentions = (statement: Statement, logicalId: string): boolean => JSON.stringify(statement.Resource).includes(`"${logicalId}"`);

function statementsOfFunction(functionId: string): Statement[] {
  const roleId = synth.logicalId(synth.stack.handlers.functions.get(functionId)!.function.role!);
  return Object.values(resourcesOfType(synth.template, 'AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(`"${roleId}"`))
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** Route key (WebSocket) or `METHOD /path` (HTTP API) → logical id of the function its integration invokes, per API. */
function routedFunctions(): Map<string, string> {
  const integrations = resourcesOfType(synth.template, 'AWS::ApiGatewayV2::Integration');
  const routed = new Map<string, string>();
  for (const route of Object.values(resourcesOfType(synth.template, 'AWS::ApiGatewayV2::Route'))) {
    const target = JSON.stringify(route.Properties.Target);
    const integration = Object.entries(integrations).find(([id]) => target.includes(`"${id}"`))?.[1];
    const functionId = /"Fn::GetAtt":\["([^"]+)","Arn"\]/.exec(JSON.stringify(integration?.Properties.IntegrationUri))?.[1];
    routed.set(`${JSON.stringify(route.Properties.ApiId)} ${String(route.Properties.RouteKey)}`, functionId ?? 'none');
  }
  return routed;
}

const apiRefOf = (definition: FunctionDefinition): string => {
  const { trigger } = definition;
  const api =
    trigger.kind === 'http'
      ? synth.stack.platformApi.api
      : trigger.kind === 'route' && trigger.api === 'whiteboard'
        ? synth.stack.whiteboardApi.api
        : synth.stack.api.api;
  return JSON.stringify({ Ref: synth.logicalId(api) });
};
const routeKeyOf = (definition: FunctionDefinition): string => {
  const { trigger } = definition;
  if (trigger.kind === 'route') return trigger.routeKey;
  if (trigger.kind === 'http') return `${trigger.method} ${trigger.path}`;
  throw new Error(`${definition.id} has no route`);
};

describe('the grouped function layout', () => {
  it('is chosen by -c functionLayout=grouped, per-route by default, and refuses any other value', () => {
    const settings = (context: Record<string, string>) => readAppSettings((key) => context[key]);
    expect(settings({}).functionLayout).toBe('per-route');
    expect(settings({ functionLayout: 'grouped' }).functionLayout).toBe('grouped');
    expect(() => settings({ functionLayout: 'one-big-function' })).toThrow(/functionLayout/);
  });

  it('deploys one function per API (chat, whiteboard, platform) and the authorizer and sweepers alone', () => {
    expect(GROUPS.map((group) => group.id).sort()).toEqual(['chat-routes', 'platform-routes', 'whiteboard-routes']);
    const deployed = [...synth.stack.handlers.functions.keys()].sort();
    const alone = FUNCTIONS.filter((definition) => groupIdOf(definition) === definition.id).map((definition) => definition.id);
    expect(deployed).toEqual([...GROUPS.map((group) => group.id), ...alone].sort());
    for (const group of GROUPS) {
      synth.template.hasResourceProperties('AWS::Lambda::Function', {
        Handler: 'index.handler',
        Description: `${group.id} (${group.members.length} routes of ${group.id === 'platform-routes' ? 'the platform API' : `the ${group.id.replace('-routes', '')} WebSocket API`}) in ${synth.stack.stackName}`,
      });
    }
  });

  it("keeps every route, each integrated with its group's function", () => {
    const routed = routedFunctions();
    for (const definition of FUNCTIONS) {
      if (definition.trigger.kind !== 'route' && definition.trigger.kind !== 'http') continue;
      const key = `${apiRefOf(definition)} ${routeKeyOf(definition)}`;
      expect(routed.get(key), key).toBe(functionLogicalId(groupIdOf(definition)));
    }
    expect(routed.size).toBe(
      FUNCTIONS.filter((definition) => definition.trigger.kind === 'route' || definition.trigger.kind === 'http').length,
    );
  });

  it("grants each group's function the union of its routes' access, and nothing beyond it", () => {
    const tableId = (key: TableKey): string => synth.logicalId(synth.stack.data.tables[key]);
    for (const group of GROUPS) {
      const statements = statementsOfFunction(group.id);
      for (const key of TABLE_KEYS) {
        const actions = statements.filter((statement) => mentions(statement, tableId(key))).flatMap(actionsOf);
        const levels = group.members.map((member) => member.access[key] ?? 'none');
        const label = `${group.id} on ${key} (${levels.join(', ')})`;
        if (levels.some(mayWrite))
          expect(actions, label).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query']));
        else if (levels.includes('read')) {
          expect(actions, label).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
          expect(actions, label).not.toContain('dynamodb:PutItem');
          expect(actions, label).not.toContain('dynamodb:DeleteItem');
        } else
          expect(
            actions.filter((action) => action !== 'dynamodb:UpdateItem'),
            label,
          ).toEqual([]);
      }
      const all = statements.flatMap(actionsOf);
      const anyMember = (has: (definition: FunctionDefinition) => boolean): boolean => group.members.some(has);
      expect(all.includes('secretsmanager:GetSecretValue'), `${group.id} reads the signing secret`).toBe(
        anyMember((m) => m.access.signingSecret),
      );
      expect(all.includes('execute-api:ManageConnections'), `${group.id} posts to sockets`).toBe(
        anyMember((m) => m.access.manageConnections),
      );
    }
  });

  it('puts each metric filter once on a group’s log group, however many of its routes need it', () => {
    const chatLogs = synth.logicalId(synth.stack.handlers.functions.get('chat-routes')!.logGroup);
    const answered = Object.values(resourcesOfType(synth.template, 'AWS::Logs::MetricFilter')).filter(
      (filter) =>
        JSON.stringify(filter.Properties.LogGroupName).includes(`"${chatLogs}"`) &&
        JSON.stringify(filter.Properties.MetricTransformations).includes('"CallsAnswered"'),
    );
    expect(answered).toHaveLength(1);
  });

  it('passes cdk-nag with no unacknowledged finding', () => {
    const report = JSON.parse(readFileSync(join(synth.outdir, 'validation-report.json'), 'utf8')) as { pluginReports: unknown[] };
    expect(report.pluginReports).toEqual([]);
  });

  const cfnLint = process.env.CFN_LINT_PATH ?? 'cfn-lint';
  it.runIf(spawnSync(cfnLint, ['--version']).status === 0)(
    'passes cfn-lint with no error',
    () => {
      const path = join(synth.outdir, 'grouped-template.json');
      writeFileSync(path, JSON.stringify(synth.template.toJSON()));
      // W3005 is CDK's own redundant DependsOn (see cfn-lint.test.ts).
      const run = spawnSync(cfnLint, ['--format', 'json', '--ignore-checks', 'W3005', '--', path], { encoding: 'utf8', timeout: 120_000 });
      const findings = JSON.parse(run.stdout) as { Level: string; Message: string; Rule: { Id: string } }[];
      expect(
        findings.filter((finding) => finding.Level !== 'Informational').map((finding) => `${finding.Rule.Id}: ${finding.Message}`),
      ).toEqual([]);
    },
    150_000,
  );
});
