/**
 * The whiteboard API as synthesized: a WebSocket API of its own (its routes from the function
 * table, the same authorizer function on its `$connect`, its own stage, throttling and access logs),
 * the `whiteboard_call_history` table from `shared/tables.ts`, functions that post only to their own
 * API's sockets, and the saved query of a session call by session id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS, ROUTE_SELECTION_EXPRESSION, WHITEBOARD_ROUTE_KEYS, apiOf, functionForRoute } from '../../shared/routes';
import { TOKEN_QUERY_PARAMETER } from '../../shared/connect-token';
import { WHITEBOARD_CALL_HISTORY_TABLE } from '../../shared/tables';
import { resourcesOfType, STACK_NAME, synthesize, type Synthesized } from './support/synth';

let synth: Synthesized;
beforeAll(() => {
  synth = synthesize();
});
afterAll(() => synth?.cleanup());

const whiteboardApiId = () => synth.logicalId(synth.stack.whiteboardApi.api);
const chatApiId = () => synth.logicalId(synth.stack.api.api);

function ofApi(type: string, apiId: string) {
  return Object.entries(resourcesOfType(synth.template, type)).filter(
    ([, resource]) => JSON.stringify(resource.Properties.ApiId) === JSON.stringify({ Ref: apiId }),
  );
}

const functionLogicalId = (id: string): string => synth.logicalId(synth.stack.handlers.functions.get(id)!.function);

/** The execute-api resources each function's role may manage connections on. */
function manageConnectionsResources(functionId: string): string[] {
  const fn = resourcesOfType(synth.template, 'AWS::Lambda::Function')[functionLogicalId(functionId)]!;
  const [roleId] = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
  const policies = Object.values(resourcesOfType(synth.template, 'AWS::IAM::Policy')).filter((policy) =>
    (policy.Properties.Roles as { Ref?: string }[]).some((role) => role.Ref === roleId),
  );
  const statements = policies.flatMap(
    (policy) => (policy.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement,
  );
  return statements
    .filter((statement) => [statement.Action].flat().includes('execute-api:ManageConnections'))
    .map((statement) => JSON.stringify(statement.Resource));
}

describe('the whiteboard API', () => {
  it('is a WebSocket API of its own that selects routes on the message type', () => {
    const api = resourcesOfType(synth.template, 'AWS::ApiGatewayV2::Api')[whiteboardApiId()];
    expect(api?.Properties).toMatchObject({ ProtocolType: 'WEBSOCKET', RouteSelectionExpression: ROUTE_SELECTION_EXPRESSION });
    expect(whiteboardApiId()).not.toBe(chatApiId());
  });

  it('has exactly the whiteboard route keys, each wired to its function, and none of the chat routes', () => {
    const integrations = Object.fromEntries(ofApi('AWS::ApiGatewayV2::Integration', whiteboardApiId()));
    const routes = ofApi('AWS::ApiGatewayV2::Route', whiteboardApiId()).map(([, route]) => route);
    expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual([...WHITEBOARD_ROUTE_KEYS].sort());
    for (const definition of FUNCTIONS) {
      const { trigger } = definition;
      if (trigger.kind !== 'route' || trigger.api !== 'whiteboard') continue;
      const route = routes.find((candidate) => candidate.Properties.RouteKey === trigger.routeKey)!;
      const integrationId = Object.keys(integrations).find((id) => JSON.stringify(route.Properties.Target).includes(`"${id}"`))!;
      expect(JSON.stringify(integrations[integrationId]!.Properties.IntegrationUri), definition.id).toContain(
        functionLogicalId(definition.id),
      );
    }
    const chatRouteKeys = ofApi('AWS::ApiGatewayV2::Route', chatApiId()).map(([, route]) => route.Properties.RouteKey);
    expect(chatRouteKeys.filter((key) => typeof key === 'string' && key.startsWith('session_'))).toEqual([]);
  });

  it('answers ice_servers and ping on its own sockets, the ice_servers function with the same TURN access as the chat one', () => {
    const routeKeys = ofApi('AWS::ApiGatewayV2::Route', whiteboardApiId()).map(([, route]) => route.Properties.RouteKey);
    expect(routeKeys).toEqual(expect.arrayContaining(['ice_servers', 'ping']));
    expect(functionForRoute('ice_servers', 'whiteboard').access).toEqual(functionForRoute('ice_servers', 'chat').access);
    expect(functionForRoute('ping', 'whiteboard').access).toEqual(functionForRoute('ping', 'chat').access);
  });

  it('guards its $connect with the same authorizer function, reading the token query parameter', () => {
    const [authorizer] = ofApi('AWS::ApiGatewayV2::Authorizer', whiteboardApiId());
    expect(authorizer?.[1].Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      IdentitySource: [`route.request.querystring.${TOKEN_QUERY_PARAMETER}`],
    });
    expect(JSON.stringify(authorizer?.[1].Properties.AuthorizerUri)).toContain(functionLogicalId('authorizer'));
    const authorized = ofApi('AWS::ApiGatewayV2::Route', whiteboardApiId())
      .map(([, route]) => route)
      .filter((route) => route.Properties.AuthorizationType === 'CUSTOM');
    expect(authorized.map((route) => route.Properties.RouteKey)).toEqual(['$connect']);
  });

  it('has its own stage, throttled, with JSON access logs in a log group of its own', () => {
    const [whiteboard] = ofApi('AWS::ApiGatewayV2::Stage', whiteboardApiId()).map(([, stage]) => stage.Properties);
    const [chat] = ofApi('AWS::ApiGatewayV2::Stage', chatApiId()).map(([, stage]) => stage.Properties);
    expect(whiteboard).toMatchObject({
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: expect.any(Number), ThrottlingBurstLimit: expect.any(Number) },
    });
    const logs = (stage: Record<string, unknown> | undefined) =>
      (stage?.AccessLogSettings as { DestinationArn: unknown; Format: string }) ?? undefined;
    expect(JSON.parse(logs(whiteboard).Format)).toMatchObject({ routeKey: '$context.routeKey', connectionId: '$context.connectionId' });
    expect(JSON.stringify(logs(whiteboard).DestinationArn)).not.toBe(JSON.stringify(logs(chat).DestinationArn));
  });
});

describe('whiteboard_call_history', () => {
  it('is declared from shared/tables.ts, backed up and kept', () => {
    const id = synth.logicalId(synth.stack.data.tables.whiteboardCalls);
    const table = resourcesOfType(synth.template, 'AWS::DynamoDB::GlobalTable')[id]!;
    expect(table.Properties.KeySchema).toEqual([{ AttributeName: WHITEBOARD_CALL_HISTORY_TABLE.partitionKey.name, KeyType: 'HASH' }]);
    const indexes = table.Properties.GlobalSecondaryIndexes as { IndexName: string; Projection: { ProjectionType: string } }[];
    expect(indexes.map((index) => index.IndexName).sort()).toEqual(
      WHITEBOARD_CALL_HISTORY_TABLE.indexes.map((index) => index.indexName).sort(),
    );
    for (const index of indexes) expect(index.Projection.ProjectionType).toBe('KEYS_ONLY');
    const replicas = table.Properties.Replicas as { PointInTimeRecoverySpecification?: { PointInTimeRecoveryEnabled: boolean } }[];
    expect(replicas[0]?.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled).toBe(true);
    expect(table.DeletionPolicy).toBe('Retain');
  });
});

describe('whiteboard functions', () => {
  it('post only to their own API: whiteboard functions to the whiteboard stage, chat functions to the chat stage', () => {
    for (const definition of FUNCTIONS) {
      if (!definition.access.manageConnections) continue;
      const resources = manageConnectionsResources(definition.id);
      expect(resources.length, definition.id).toBeGreaterThan(0);
      const own = apiOf(definition) === 'whiteboard' ? whiteboardApiId() : chatApiId();
      const other = apiOf(definition) === 'whiteboard' ? chatApiId() : whiteboardApiId();
      for (const resource of resources) {
        expect(resource, definition.id).toContain(`"Ref":"${own}"`);
        expect(resource, definition.id).not.toContain(`"Ref":"${other}"`);
      }
    }
  });

  it('are told the whiteboard management endpoint and the history table', () => {
    const fn = resourcesOfType(synth.template, 'AWS::Lambda::Function')[functionLogicalId('session-join')]!;
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.stringify(variables.WHITEBOARD_MANAGEMENT_ENDPOINT)).toContain(whiteboardApiId());
    expect(JSON.stringify(variables.WHITEBOARD_CALL_HISTORY_TABLE)).toContain(synth.logicalId(synth.stack.data.tables.whiteboardCalls));
  });
});

describe('observability', () => {
  it('saves the query of a session call by session id', () => {
    const queries = Object.values(resourcesOfType(synth.template, 'AWS::Logs::QueryDefinition'));
    const query = queries.find((candidate) => candidate.Properties.Name === `${STACK_NAME}/session call by session id`);
    expect(String(query?.Properties.QueryString)).toContain('session_id = ');
  });
});
