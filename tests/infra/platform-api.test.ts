/**
 * The platform's backend API in the synthesized template: an HTTP API whose every route is
 * IAM-authorized and reaches the function the function table names, and a managed policy that
 * allows invoking exactly those routes (plus, when a principal is named, a role it may assume).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTPUTS } from '../../infra/aws/signaling-stack';
import { httpRouteKey, PLATFORM_STAGE } from '../../shared/platform-api';
import { FUNCTIONS, HTTP_ROUTE_KEYS } from '../../shared/routes';
import { resourcesOfType, synthesize, type Synthesized } from './support/synth';

const PRINCIPAL = 'arn:aws:iam::123456789012:role/platform-backend';

let synth: Synthesized;
let withPrincipal: Synthesized;
beforeAll(() => {
  synth = synthesize();
  withPrincipal = synthesize({ platformPrincipalArn: PRINCIPAL });
});
afterAll(() => {
  synth?.cleanup();
  withPrincipal?.cleanup();
});

const platformApiId = () => synth.logicalId(synth.stack.platformApi.api);
function ofPlatformApi(type: string) {
  return Object.values(resourcesOfType(synth.template, type)).filter(
    (resource) => JSON.stringify(resource.Properties.ApiId) === JSON.stringify({ Ref: platformApiId() }),
  );
}

const HTTP_FUNCTIONS = FUNCTIONS.flatMap((definition) =>
  definition.trigger.kind === 'http' ? [{ definition, trigger: definition.trigger }] : [],
);

describe('the platform API', () => {
  it('is an HTTP API without CORS, so no web page may call it', () => {
    const api = resourcesOfType(synth.template, 'AWS::ApiGatewayV2::Api')[platformApiId()]!;
    expect(api.Properties.ProtocolType).toBe('HTTP');
    expect(api.Properties.CorsConfiguration).toBeUndefined();
  });

  it('has exactly the function table’s routes, each IAM-authorized and wired to its own function (payload format 2.0)', () => {
    const routes = ofPlatformApi('AWS::ApiGatewayV2::Route');
    const integrations = resourcesOfType(synth.template, 'AWS::ApiGatewayV2::Integration');
    expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual([...HTTP_ROUTE_KEYS].sort());
    for (const route of routes) expect(route.Properties.AuthorizationType, String(route.Properties.RouteKey)).toBe('AWS_IAM');
    for (const { definition, trigger } of HTTP_FUNCTIONS) {
      const route = routes.find((candidate) => candidate.Properties.RouteKey === httpRouteKey(trigger))!;
      const integrationId = /"integrations\/",\{"Ref":"([^"]+)"\}/.exec(JSON.stringify(route.Properties.Target))?.[1];
      const integration = integrations[integrationId!]!;
      expect(integration.Properties.PayloadFormatVersion).toBe('2.0');
      const functionId = synth.logicalId(synth.stack.handlers.functions.get(definition.id)!.function);
      expect(JSON.stringify(integration.Properties.IntegrationUri), definition.id).toContain(`"${functionId}"`);
    }
  });

  it('deploys its $default stage automatically, throttled, with JSON access logs naming the IAM caller', () => {
    const [stage, ...others] = ofPlatformApi('AWS::ApiGatewayV2::Stage');
    expect(others).toEqual([]);
    expect(stage!.Properties).toMatchObject({
      StageName: PLATFORM_STAGE,
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: expect.any(Number), ThrottlingBurstLimit: expect.any(Number) },
    });
    const format = JSON.parse((stage!.Properties.AccessLogSettings as { Format: string }).Format) as Record<string, string>;
    expect(format).toMatchObject({ routeKey: '$context.routeKey', status: '$context.status', caller: '$context.identity.userArn' });
  });

  it('creates a managed policy allowing execute-api:Invoke on exactly these routes of this API and stage', () => {
    const policy = resourcesOfType(synth.template, 'AWS::IAM::ManagedPolicy')[synth.logicalId(synth.stack.platformApi.invokePolicy)]!;
    const statements = (policy.Properties.PolicyDocument as { Statement: { Effect: string; Action: string; Resource: unknown }[] })
      .Statement;
    // CDK may merge the statements: what counts is every resource they allow, and that they allow nothing else.
    const resources = statements.flatMap((statement) => {
      expect(statement).toMatchObject({ Effect: 'Allow', Action: 'execute-api:Invoke' });
      return (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]).map((resource) => JSON.stringify(resource));
    });
    expect(resources).toHaveLength(HTTP_FUNCTIONS.length);
    for (const { trigger } of HTTP_FUNCTIONS) {
      const tail = `/${PLATFORM_STAGE}/${trigger.method}${trigger.path.replace(/\{[^}]+\}/g, '*')}`;
      expect(
        resources.some((resource) => resource.includes(`{"Ref":"${platformApiId()}"}`) && resource.includes(`"${tail}"`)),
        tail,
      ).toBe(true);
    }
    // Attached to no function: it is for the platform's backend.
    expect(policy.Properties.Roles).toBeUndefined();
    const outputs = synth.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs[OUTPUTS.platformInvokePolicyArn]!.Value).toEqual({ Ref: synth.logicalId(synth.stack.platformApi.invokePolicy) });
    expect(JSON.stringify(outputs[OUTPUTS.platformApiUrl]!.Value)).toContain(platformApiId());
    expect(synth.stack.platformApi.platformRole).toBeUndefined();
  });

  it('with platformPrincipalArn, creates a role that principal may assume, holding the invoke policy only', () => {
    const role = withPrincipal.stack.platformApi.platformRole!;
    const properties = resourcesOfType(withPrincipal.template, 'AWS::IAM::Role')[withPrincipal.logicalId(role)]!.Properties;
    expect(properties.AssumeRolePolicyDocument).toMatchObject({
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: PRINCIPAL } }],
    });
    expect(properties.ManagedPolicyArns).toEqual([{ Ref: withPrincipal.logicalId(withPrincipal.stack.platformApi.invokePolicy) }]);
    expect(properties.Policies).toBeUndefined();
    const outputs = withPrincipal.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs[OUTPUTS.platformRoleArn]!.Value).toEqual({ 'Fn::GetAtt': [withPrincipal.logicalId(role), 'Arn'] });
  });
});
