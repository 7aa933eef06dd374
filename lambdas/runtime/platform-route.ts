/**
 * The shape every handler of the platform's backend API shares (API Gateway HTTP API, payload
 * format 2.0, IAM-authorized before the handler runs): read and validate the JSON body or the query,
 * run the core, map refusals to one JSON error with its HTTP status, write one routing line per
 * decision.
 */
import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as v from 'valibot';
import { httpRouteKey, type PlatformErrorBody, type PlatformErrorCode } from '../../shared/platform-api';
import { describeIssues } from '../../shared/protocol';
import type { RoutingDecision } from '../../shared/routing-line';
import { functionById } from '../../shared/routes';
import type { ErrorCode } from '../../shared/errors';
import { ProtocolError } from '../core/errors';
import { getRuntime, type Runtime } from './container';
import { logDecisions } from './handler';
import { logFailure } from './log';

export type PlatformEvent = APIGatewayProxyEventV2WithIAMAuthorizer;
export type PlatformResult = APIGatewayProxyStructuredResultV2;
export type PlatformHandler = (event: PlatformEvent) => Promise<PlatformResult>;

/** A request refused with an HTTP status and one of the API's error codes. */
export class PlatformRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: PlatformErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PlatformRefusal';
  }
}

export interface PlatformReply {
  status?: number;
  body: unknown;
  /** The routing lines of what the request did; a reply-only request gets one `replied` line. */
  decisions?: RoutingDecision[];
}

export interface PlatformInput {
  runtime: Runtime;
  event: PlatformEvent;
}

/** Refusals of the call core, as the API answers them. */
const PROTOCOL_REFUSALS: Partial<Record<ErrorCode, { status: number; code: PlatformErrorCode }>> = {
  invalid_message: { status: 400, code: 'invalid_request' },
  cannot_call_self: { status: 400, code: 'cannot_call_self' },
  already_in_call: { status: 409, code: 'already_in_call' },
  rate_limited: { status: 429, code: 'rate_limited' },
};

/** `data` as `schema` says, or a 400 `invalid_request` naming what is wrong. */
function validated<S extends v.GenericSchema>(schema: S, data: unknown): v.InferOutput<S> {
  const parsed = v.safeParse(schema, data);
  if (!parsed.success) throw new PlatformRefusal(400, 'invalid_request', describeIssues(parsed.issues));
  return parsed.output;
}

/** The request's JSON body, validated. */
export function bodyOf<S extends v.GenericSchema>(event: PlatformEvent, schema: S): v.InferOutput<S> {
  const text = event.body === undefined ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new PlatformRefusal(400, 'invalid_json', 'The body is not JSON');
  }
  return validated(schema, data);
}

/** The request's query string parameters, validated. */
export const queryOf = <S extends v.GenericSchema>(event: PlatformEvent, schema: S): v.InferOutput<S> =>
  validated(schema, event.queryStringParameters ?? {});

/** The route's path parameters, validated. */
export const pathOf = <S extends v.GenericSchema>(event: PlatformEvent, schema: S): v.InferOutput<S> =>
  validated(schema, event.pathParameters ?? {});

const json = (status: number, body: unknown): PlatformResult => ({
  statusCode: status,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

const decision = (outcome: 'replied' | 'refused', reason: string | null): RoutingDecision => ({
  call_id: null,
  from: null,
  to: null,
  outcome,
  reason,
  sockets_reached: 0,
  gone_sockets: 0,
});

function refusalOf(error: unknown): PlatformRefusal | undefined {
  if (error instanceof PlatformRefusal) return error;
  if (!(error instanceof ProtocolError)) return undefined;
  const mapped = PROTOCOL_REFUSALS[error.code];
  return mapped ? new PlatformRefusal(mapped.status, mapped.code, error.message) : undefined;
}

/** The handler of the function table entry `functionId` (an `http` trigger). */
export function platformRoute(functionId: string, act: (input: PlatformInput) => Promise<PlatformReply>): PlatformHandler {
  const definition = functionById(functionId);
  if (definition.trigger.kind !== 'http') throw new Error(`${functionId} is not a platform API route`);
  const route = httpRouteKey(definition.trigger);
  return async (event) => {
    const started = performance.now();
    const runtime = getRuntime(definition);
    const context = { requestContext: { requestId: event.requestContext.requestId } };
    try {
      const reply = await act({ runtime, event });
      logDecisions(route, started, context, reply.decisions ?? [decision('replied', null)]);
      return json(reply.status ?? 200, reply.body);
    } catch (error) {
      const refusal = refusalOf(error);
      if (!refusal) logFailure(route, event.requestContext.requestId, error);
      const answer = refusal ?? new PlatformRefusal(500, 'internal', 'Something went wrong; please retry');
      logDecisions(route, started, context, [decision('refused', answer.code)]);
      const body: PlatformErrorBody = { error: answer.code, message: answer.message };
      return json(answer.status, body);
    }
  };
}
