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
import {
  apiOf,
  DEFAULT_FUNCTION_LAYOUT,
  deployedFunctionSpecs,
  FUNCTIONS,
  type FunctionDefinition,
  type FunctionLayoutName,
} from '../../shared/routes';
import { TOKEN_QUERY_PARAMETER } from '../../shared/connect-token';
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
  /** One function per route, or per API (`shared/routes.ts`). @default 'per-route' */
  readonly layout?: FunctionLayoutName;
}

/** Route handlers answer one frame; the sweeper may work through a batch of expired calls. */
const TIMEOUTS: Record<FunctionDefinition['trigger']['kind'], Duration> = {
  route: Duration.seconds(10),
  http: Duration.seconds(10),
  authorizer: Duration.seconds(5),
  schedule: Duration.seconds(50),
};

export class CallHandlers extends Construct {
  /** By function id: a table entry's id (per route), or a group's (`chat-routes`, …). */
  readonly functions: ReadonlyMap<string, HandlerFunction>;
  /** By function table entry id: the function serving that entry (under either layout). */
  private readonly serving: ReadonlyMap<string, HandlerFunction>;

  constructor(scope: Construct, id: string, props: CallHandlersProps) {
    super(scope, id);
    const definitions = props.definitions ?? FUNCTIONS;
    const resources: HandlerResources = { ...props.resources, managementApi: props.api };
    const whiteboardResources: HandlerResources = { ...props.resources, managementApi: props.whiteboardApi };

    const functions = new Map<string, HandlerFunction>();
    const serving = new Map<string, HandlerFunction>();
    for (const spec of deployedFunctionSpecs(props.layout ?? DEFAULT_FUNCTION_LAYOUT, definitions)) {
      // A group's members share their API and trigger kind (`groupIdOf`): the first one speaks for all.
      const [first] = spec.members;
      if (!first) continue;
      // Suffixed: a construct id of "Default" would vanish from the logical ids of the `default` handler.
      const handler = new HandlerFunction(this, `${pascalCase(spec.id)}Handler`, {
        spec,
        resources: apiOf(first) === 'whiteboard' ? whiteboardResources : resources,
        projectRoot: props.projectRoot,
        logRetention: props.logRetention,
        logRemovalPolicy: props.logRemovalPolicy,
        timeout: TIMEOUTS[first.trigger.kind],
        bundleAwsSdk: props.bundleAwsSdk,
      });
      functions.set(spec.id, handler);
      for (const member of spec.members) serving.set(member.id, handler);
    }
    this.functions = functions;
    this.serving = serving;

    // API Gateway runs a WebSocket authorizer on `$connect` only; its context reaches every later route.
    const authorizers = definitions.filter((definition) => definition.trigger.kind === 'authorizer');
    if (authorizers.length > 1) throw new Error(`The function table has ${authorizers.length} authorizers; API Gateway takes one`);
    const authorizerFunction = authorizers[0] && serving.get(authorizers[0].id);
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

    // Every entry gets its own route and integration, pointing at the function that serves it.
    for (const definition of definitions) {
      const handler = serving.get(definition.id);
      if (!handler) continue;
      const { trigger } = definition;
      if (trigger.kind === 'route') {
        const api = trigger.api === 'whiteboard' ? props.whiteboardApi : props.api;
        // The same authorizer function guards both APIs' `$connect` (each API has its own authorizer resource).
        const authorizer =
          trigger.routeKey !== '$connect' ? undefined : trigger.api === 'whiteboard' ? whiteboardAuthorizer : connectAuthorizer;
        api.addHandlerRoute(trigger.routeKey, definition.id, handler.function, authorizer);
      } else if (trigger.kind === 'http') {
        props.platformApi.addHandlerRoute(trigger, definition.id, handler.function);
      } else if (trigger.kind === 'schedule') {
        new Rule(this, `${pascalCase(definition.id)}Schedule`, {
          description: `Runs ${definition.id} every ${SWEEP_INTERVAL.toMinutes()} minute(s)`,
          schedule: Schedule.rate(SWEEP_INTERVAL),
          // A missed run is made up by the next one a minute later: retrying would only overlap it.
          targets: [new LambdaFunction(handler.function, { retryAttempts: 0, maxEventAge: Duration.minutes(1) })],
        });
      }
    }
  }

  /** The functions, in function table order (of their first member). */
  get all(): HandlerFunction[] {
    return [...this.functions.values()];
  }

  /** The function serving a function table entry: its own, or its group's. */
  functionServing(definitionId: string): HandlerFunction {
    const handler = this.serving.get(definitionId);
    if (!handler) throw new Error(`No function serves "${definitionId}"`);
    return handler;
  }
}
