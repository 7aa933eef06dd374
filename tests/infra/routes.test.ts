import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pascalCase } from '../../infra/aws/signaling-api';
import { loadFunctions } from '../../infra/local/functions';
import { TOKEN_QUERY_PARAMETER } from '../../shared/connect-token';
import { FUNCTIONS, ROUTE_KEYS, ROUTE_SELECTION_EXPRESSION } from '../../shared/routes';
import { PROJECT_ROOT, resourcesOfType, synthesize, type Synthesized } from './support/synth';

let synth: Synthesized;
beforeAll(() => {
  synth = synthesize();
});
afterAll(() => synth?.cleanup());

/** The resources of one type that belong to the WebSocket API (the platform API is an HTTP API of its own). */
function ofWebSocketApi(type: string) {
  const apiId = synth.logicalId(synth.stack.api.api);
  return Object.fromEntries(
    Object.entries(resourcesOfType(synth.template, type)).filter(
      ([, resource]) => JSON.stringify(resource.Properties.ApiId) === JSON.stringify({ Ref: apiId }),
    ),
  );
}

/** Route key → logical id of the Lambda function its integration invokes. */
function routedFunctions(): Map<string, string> {
  const integrations = ofWebSocketApi('AWS::ApiGatewayV2::Integration');
  const routes = ofWebSocketApi('AWS::ApiGatewayV2::Route');
  const routed = new Map<string, string>();
  for (const route of Object.values(routes)) {
    const target = JSON.stringify(route.Properties.Target);
    const integrationId = Object.keys(integrations).find((id) => target.includes(`"${id}"`));
    expect(integrationId, `route ${String(route.Properties.RouteKey)} has an integration`).toBeDefined();
    const uri = JSON.stringify(integrations[integrationId!]!.Properties.IntegrationUri);
    const functionId = /"Fn::GetAtt":\["([^"]+)","Arn"\]/.exec(uri)?.[1];
    routed.set(route.Properties.RouteKey as string, functionId!);
  }
  return routed;
}

const functionLogicalId = (id: string): string => synth.logicalId(synth.stack.handlers.functions.get(id)!.function);

describe('signaling API routes', () => {
  it('selects routes on the message type', () => {
    synth.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: ROUTE_SELECTION_EXPRESSION,
    });
  });

  it('has exactly the shared route keys, each wired to the handler the function table names', () => {
    const routed = routedFunctions();
    expect([...routed.keys()].sort()).toEqual([...ROUTE_KEYS].sort());
    for (const definition of FUNCTIONS) {
      // The whiteboard API's routes are its own (tests/infra/whiteboard-api.test.ts).
      if (definition.trigger.kind !== 'route' || definition.trigger.api !== 'chat') continue;
      expect(routed.get(definition.trigger.routeKey), definition.trigger.routeKey).toBe(functionLogicalId(definition.id));
    }
  });

  it('has the same route keys and handler modules as the local gateway', async () => {
    const local = await loadFunctions(PROJECT_ROOT, FUNCTIONS);
    const routed = routedFunctions();
    expect([...routed.keys()].sort()).toEqual([...local.routes.keys()].sort());
    const entryByLogicalId = new Map(FUNCTIONS.map((definition) => [functionLogicalId(definition.id), definition.entry]));
    for (const [routeKey, loaded] of local.routes) {
      expect(entryByLogicalId.get(routed.get(routeKey)!), routeKey).toBe(loaded.entry);
    }
    expect(local.authorizer?.entry).toBe(FUNCTIONS.find((definition) => definition.trigger.kind === 'authorizer')?.entry);
  });

  it('puts the Lambda authorizer on $connect only, reading the token query parameter', () => {
    // The whiteboard API has an authorizer of its own on the same function (tests/infra/whiteboard-api.test.ts).
    const authorizers = ofWebSocketApi('AWS::ApiGatewayV2::Authorizer');
    expect(Object.keys(authorizers)).toHaveLength(1);
    const [authorizerId, authorizer] = Object.entries(authorizers)[0]!;
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      IdentitySource: [`route.request.querystring.${TOKEN_QUERY_PARAMETER}`],
    });
    expect(JSON.stringify(authorizer.Properties.AuthorizerUri)).toContain(functionLogicalId('authorizer'));

    const routes = Object.values(ofWebSocketApi('AWS::ApiGatewayV2::Route'));
    const authorized = routes.filter(
      (route) => route.Properties.AuthorizationType !== undefined && route.Properties.AuthorizationType !== 'NONE',
    );
    expect(authorized.map((route) => route.Properties.RouteKey)).toEqual(['$connect']);
    expect(authorized[0]!.Properties).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId } });
  });

  it('deploys the stage automatically, throttled, with JSON access logs', () => {
    const stages = Object.values(ofWebSocketApi('AWS::ApiGatewayV2::Stage'));
    expect(stages).toHaveLength(1);
    const stage = stages[0]!.Properties;
    expect(stage).toMatchObject({
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: expect.any(Number), ThrottlingBurstLimit: expect.any(Number) },
    });
    const accessLog = stage.AccessLogSettings as { Format: string; DestinationArn: unknown };
    expect(JSON.parse(accessLog.Format)).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
      status: '$context.status',
    });
  });

  it('names every handler\'s resources after its function table id (none lost to a "Default" construct id)', () => {
    for (const definition of FUNCTIONS) {
      expect(functionLogicalId(definition.id), definition.id).toContain(pascalCase(definition.id));
    }
    const integrations = Object.keys(ofWebSocketApi('AWS::ApiGatewayV2::Integration'));
    expect(new Set(integrations).size).toBe(ROUTE_KEYS.length);
  });

  it('runs the scheduled function (the sweeper) every minute', () => {
    const scheduled = FUNCTIONS.filter((definition) => definition.trigger.kind === 'schedule');
    const rules = Object.values(resourcesOfType(synth.template, 'AWS::Events::Rule'));
    expect(rules).toHaveLength(scheduled.length);
    for (const definition of scheduled) {
      const rule = rules.find((candidate) => JSON.stringify(candidate.Properties.Targets).includes(functionLogicalId(definition.id)));
      expect(rule?.Properties.ScheduleExpression, definition.id).toBe('rate(1 minute)');
    }
  });
});
