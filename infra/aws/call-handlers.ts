/**
 * Every function of the shared function table, wired to what triggers it: a WebSocket route, the
 * `$connect` authorizer, a route of the platform API, or the sweeper's schedule. Nothing here names
 * a route or a handler.
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { apiOf, FUNCTIONS, TOKEN_QUERY_PARAMETER, type FunctionDefinition } from '../../shared/routes';
import { HandlerFunction, type HandlerResources } from './handler-function';
import type { PlatformApi } from './platform-api';
import { pascalCase, type SignalingApi } from './signaling-api';

/** The authorizer reads the token from the `$connect` query string. */
export const AUTHORIZER_IDENTITY_SOURCE = `route.request.querystring.${TOKEN_QUERY_PARAMETER}`;

/** How often the sweeper ends ringing past `expires_at` and calls whose dropped party did not resume. */
export const SWEEP_INTERVAL = Duration.minutes(1);

export interface CallHandlersProps {
  readonly api: SignalingApi;
  /** The whiteboard API: its routes, and the sockets its functions post to. */
  readonly whiteboardApi: SignalingApi;
  /** Where the platform API's functions (`http` triggers) are routed. */
  readonly platformApi: PlatformApi;
  readonly resources: Omit<HandlerResources, 'managementApi'>;
  readonly projectRoot: string;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
  readonly bundleAwsSdk: boolean;
  /** The function table; the shared one unless a test narrows it. */
  readonly definitions?: readonly FunctionDefinition[];
}

/** Route handlers answer one frame; the sweeper may work through a batch of expired calls. */
const TIMEOUTS: Record<FunctionDefinition['trigger']['kind'], Duration> = {
  route: Duration.seconds(10),
  http: Duration.seconds(10),
  authorizer: Duration.seconds(5),
  schedule: Duration.seconds(50),
};

export class CallHandlers extends Construct {
  /** By function id (`FunctionDefinition.id`). */
  readonly functions: ReadonlyMap<string, HandlerFunction>;

  constructor(scope: Construct, id: string, props: CallHandlersProps) {
    super(scope, id);
    const definitions = props.definitions ?? FUNCTIONS;
    const resources: HandlerResources = { ...props.resources, managementApi: props.api };
    const whiteboardResources: HandlerResources = { ...props.resources, managementApi: props.whiteboardApi };

    const functions = new Map<string, HandlerFunction>();
    for (const definition of definitions) {
      functions.set(
        definition.id,
        // Suffixed: a construct id of "Default" would vanish from the logical ids of the `default` handler.
        new HandlerFunction(this, `${pascalCase(definition.id)}Handler`, {
          definition,
          resources: apiOf(definition) === 'whiteboard' ? whiteboardResources : resources,
          projectRoot: props.projectRoot,
          logRetention: props.logRetention,
          logRemovalPolicy: props.logRemovalPolicy,
          timeout: TIMEOUTS[definition.trigger.kind],
          bundleAwsSdk: props.bundleAwsSdk,
        }),
      );
    }
    this.functions = functions;

    // API Gateway runs a WebSocket authorizer on `$connect` only; its context reaches every later route.
    const authorizers = [...functions.values()].filter((fn) => fn.definition.trigger.kind === 'authorizer');
    if (authorizers.length > 1) throw new Error(`The function table has ${authorizers.length} authorizers; API Gateway takes one`);
    const authorizerFunction = authorizers[0];
    const connectAuthorizer = authorizerFunction
      ? new WebSocketLambdaAuthorizer('ConnectAuthorizer', authorizerFunction.function, {
          identitySource: [AUTHORIZER_IDENTITY_SOURCE],
        })
      : undefined;
    const whiteboardAuthorizer = authorizerFunction
      ? new WebSocketLambdaAuthorizer('WhiteboardConnectAuthorizer', authorizerFunction.function, {
          identitySource: [AUTHORIZER_IDENTITY_SOURCE],
        })
      : undefined;

    for (const handler of functions.values()) {
      const { trigger } = handler.definition;
      if (trigger.kind === 'route') {
        const api = trigger.api === 'whiteboard' ? props.whiteboardApi : props.api;
        // The same authorizer function guards both APIs' `$connect` (each API has its own authorizer resource).
        const authorizer =
          trigger.routeKey !== '$connect' ? undefined : trigger.api === 'whiteboard' ? whiteboardAuthorizer : connectAuthorizer;
        api.addHandlerRoute(trigger.routeKey, handler.definition.id, handler.function, authorizer);
      } else if (trigger.kind === 'http') {
        props.platformApi.addHandlerRoute(trigger, handler.definition.id, handler.function);
      } else if (trigger.kind === 'schedule') {
        new Rule(this, `${pascalCase(handler.definition.id)}Schedule`, {
          description: `Runs ${handler.definition.id} every ${SWEEP_INTERVAL.toMinutes()} minute(s)`,
          schedule: Schedule.rate(SWEEP_INTERVAL),
          // A missed run is made up by the next one a minute later: retrying would only overlap it.
          targets: [new LambdaFunction(handler.function, { retryAttempts: 0, maxEventAge: Duration.minutes(1) })],
        });
      }
    }
  }

  /** The functions, in function table order. */
  get all(): HandlerFunction[] {
    return [...this.functions.values()];
  }
}
