/**
 * The function table, defined once: every Lambda handler, what triggers it, and what it may touch.
 * The local gateway routes frames by it; the CDK stack creates one function per entry from it and
 * grants each exactly the access listed here.
 */
import { httpRouteKey, PLATFORM_ROUTES, type HttpRoute } from './platform-api';
import type { ClientMessageType } from './protocol';
import type { SessionMessageType } from './session-protocol';

export type TableAccess = 'none' | 'read' | 'readwrite';

export interface FunctionAccess {
  connections: TableAccess;
  callLogs: TableAccess;
  profileSettings: TableAccess;
  /** Posts to (or deletes) sockets through the @connections management API. */
  manageConnections: boolean;
  /** Reads the JWT signing secret. */
  signingSecret: boolean;
  /**
   * Updates its shared rate counters in `connections` (UpdateItem only), for a function that may
   * not otherwise write that table. Functions that may write it keep their counters anyway.
   */
  rateCounters?: boolean;
  /**
   * `whiteboard_call_history`: the whiteboard session calls (absent: none). Chat functions that claim
   * lines read it, to judge a line a session call holds (stale or busy).
   */
  whiteboardCalls?: TableAccess;
  /**
   * Updates items of `call_logs` (UpdateItem only), for a function that otherwise only reads it:
   * it adds to a call's log and never creates or deletes one.
   */
  callLogUpdates?: boolean;
  /**
   * Updates items of `whiteboard_call_history` (UpdateItem only), for a function that otherwise only
   * reads it: it adds a member's quality summary to a session call and never creates or deletes one.
   */
  whiteboardCallUpdates?: boolean;
  /** Gets TURN credentials: reads the TURN REST secret, or asks Kinesis Video Streams (when the stack configures either). */
  turnCredentials?: boolean;
}

export type RouteKey = '$connect' | '$disconnect' | '$default' | ClientMessageType | SessionMessageType;

/**
 * The WebSocket APIs: `chat` (the chat calls, PROTOCOL.md "Calls") and `whiteboard` (whiteboard
 * session calls, its own API with its own routes, stage and management endpoint).
 */
export const WEBSOCKET_APIS = ['chat', 'whiteboard'] as const;
export type WebSocketApiName = (typeof WEBSOCKET_APIS)[number];

export type FunctionTrigger =
  | { kind: 'route'; routeKey: RouteKey; api: WebSocketApiName }
  | { kind: 'authorizer'; identitySource: 'token' }
  | { kind: 'schedule' }
  /** A route of the platform's backend API (`shared/platform-api.ts`), IAM-authorized. */
  | ({ kind: 'http' } & HttpRoute);

export interface FunctionDefinition {
  /** Stable id, used for construct ids and log groups. */
  id: string;
  /** Module path from the project root; it exports `handler`. */
  entry: string;
  trigger: FunctionTrigger;
  access: FunctionAccess;
  /** The WebSocket API a function that is not one of its routes posts to (the whiteboard sweeper); default the chat API. */
  postsTo?: WebSocketApiName;
}

/** The WebSocket API whose sockets a function reaches: its route's API, or the one it names. */
export const apiOf = (definition: FunctionDefinition): WebSocketApiName =>
  definition.trigger.kind === 'route' ? definition.trigger.api : (definition.postsTo ?? 'chat');

/** Whether a function may write the table: only such functions forget the records of sockets found gone. */
export const mayWrite = (access: TableAccess): boolean => access === 'readwrite';

/** Whether a function may move shared rate counters (routes that draw on a class counted in the store). */
export const mayCountRates = (access: FunctionAccess): boolean => mayWrite(access.connections) || access.rateCounters === true;

const NO_ACCESS: FunctionAccess = {
  connections: 'none',
  callLogs: 'none',
  profileSettings: 'none',
  manageConnections: false,
  signingSecret: false,
};
/** Handlers that move a call through its states: they claim lines, update the call and reach both parties. */
const CALL_STATE: FunctionAccess = { ...NO_ACCESS, connections: 'readwrite', callLogs: 'readwrite', manageConnections: true };
/** Handlers that only answer the sender: they write nothing, not even the record of a sender found gone. */
const REPLY_ONLY: FunctionAccess = { ...NO_ACCESS, manageConnections: true };

const route = (id: string, routeKey: RouteKey, access: FunctionAccess): FunctionDefinition => ({
  id,
  entry: `lambdas/handlers/${id}.ts`,
  trigger: { kind: 'route', routeKey, api: 'chat' },
  access,
});

/** A route of the whiteboard API; its handler lives under `lambdas/handlers/session/`. */
const sessionRoute = (
  id: string,
  routeKey: '$connect' | '$disconnect' | '$default' | SessionMessageType,
  access: FunctionAccess,
): FunctionDefinition => ({
  id,
  entry: `lambdas/handlers/session/${id}.ts`,
  trigger: { kind: 'route', routeKey, api: 'whiteboard' },
  access,
});

/** Whiteboard handlers that move a session call: its item, the session's pointer, the members' lines and sockets. */
const SESSION_STATE: FunctionAccess = {
  ...NO_ACCESS,
  connections: 'readwrite',
  whiteboardCalls: 'readwrite',
  manageConnections: true,
};

const platformRoute = (id: string, httpRoute: HttpRoute, access: FunctionAccess): FunctionDefinition => ({
  id,
  entry: `lambdas/handlers/platform/${id}.ts`,
  trigger: { kind: 'http', ...httpRoute },
  access,
});

export const FUNCTIONS: readonly FunctionDefinition[] = [
  {
    id: 'authorizer',
    entry: 'lambdas/handlers/authorizer.ts',
    trigger: { kind: 'authorizer', identitySource: 'token' },
    access: { ...NO_ACCESS, signingSecret: true },
  },
  // Closes the profile's oldest sockets beyond its cap, telling each why first.
  route('connect', '$connect', { ...NO_ACCESS, connections: 'readwrite', manageConnections: true }),
  route('disconnect', '$disconnect', CALL_STATE),
  route('default', '$default', REPLY_ONLY),
  // Reads the signing secret to verify the platform's call grants (see shared/call-policy.ts), and the
  // callee's settings (who may call it, whom it blocked).
  // It claims lines: one a whiteboard session call holds is judged from that call (read only).
  route('call-invitation', 'call_invitation', { ...CALL_STATE, signingSecret: true, profileSettings: 'read', whiteboardCalls: 'read' }),
  route('call-answer', 'call_answer', CALL_STATE),
  // Candidates read the call, and write it too: a peer socket found gone starts that party's resume
  // grace (a guarded update of the call, as `$disconnect` would make) and its record is forgotten.
  route('ice-candidate', 'ice_candidate', CALL_STATE),
  route('call-declined', 'call_declined', CALL_STATE),
  route('call-ended', 'call_ended', CALL_STATE),
  route('call-resume', 'call_resume', CALL_STATE),
  route('ping', 'ping', REPLY_ONLY),
  // A profile is shown online only to those who may call it: its settings, and grants, decide. Lookups
  // are counted per profile in the store (enumeration is the abuse): the counters are all they write.
  route('presence-query', 'presence_query', {
    ...REPLY_ONLY,
    connections: 'read',
    profileSettings: 'read',
    signingSecret: true,
    rateCounters: true,
  }),
  // Changes the sender's own settings and tells every socket of its profile (found through connections).
  route('call-settings', 'call_settings', { ...REPLY_ONLY, connections: 'read', profileSettings: 'readwrite', rateCounters: true }),
  route('call-history', 'call_history', { ...REPLY_ONLY, callLogs: 'read', rateCounters: true }),
  route('ice-servers', 'ice_servers', { ...REPLY_ONLY, turnCredentials: true }),
  // Later offers and answers of an answered call: it reads the call and posts to the peer's bound socket,
  // nothing more (a peer found gone is left to that socket's own `$disconnect`).
  route('call-renegotiate', 'call_renegotiate', { ...REPLY_ONLY, callLogs: 'read' }),
  // Adds a party's end-of-call quality summary to the call's log: reads the call, updates that one
  // attribute; it posts only refusals (no reply on success).
  route('call-quality', 'call_quality', { ...REPLY_ONLY, callLogs: 'read', callLogUpdates: true }),
  // A callee's socket accepts a call the platform started (`call_invite`): it claims the call and tells the caller's sockets.
  route('call-invite-accept', 'call_invite_accept', CALL_STATE),
  // The platform's backend API: each route its own function, reaching only what it answers from.
  platformRoute('platform-call-grants', PLATFORM_ROUTES.callGrants, { ...NO_ACCESS, signingSecret: true }),
  platformRoute('platform-presence', PLATFORM_ROUTES.presence, { ...NO_ACCESS, connections: 'read' }),
  platformRoute('platform-call-logs', PLATFORM_ROUTES.callLogs, { ...NO_ACCESS, callLogs: 'read' }),
  // Rings as an invitation does: the callee's settings are read, the caller's repeated rings counted.
  platformRoute('platform-call-invite', PLATFORM_ROUTES.callInvite, { ...CALL_STATE, profileSettings: 'read', whiteboardCalls: 'read' }),
  {
    id: 'sweeper',
    entry: 'lambdas/handlers/sweeper.ts',
    trigger: { kind: 'schedule' },
    access: CALL_STATE,
  },
  // The whiteboard API (PROTOCOL.md, "Whiteboard session calls"). Its sockets are recorded apart from
  // the chat API's; the same authorizer function guards its `$connect`.
  // Closes the profile's oldest whiteboard sockets beyond its cap (counted apart from its chat sockets), telling each why first.
  sessionRoute('session-connect', '$connect', { ...NO_ACCESS, connections: 'readwrite', manageConnections: true }),
  sessionRoute('session-disconnect', '$disconnect', SESSION_STATE),
  sessionRoute('session-default', '$default', REPLY_ONLY),
  // Verify the session grant (the signing secret); reading the session's call is all `session_state` does.
  sessionRoute('session-state', 'session_state', { ...REPLY_ONLY, connections: 'read', whiteboardCalls: 'read', signingSecret: true }),
  // Joining claims the member's line: a line a chat call holds is judged from `call_logs` (read only).
  sessionRoute('session-join', 'session_join', { ...SESSION_STATE, callLogs: 'read', signingSecret: true }),
  sessionRoute('session-signal', 'session_signal', { ...REPLY_ONLY, connections: 'read', whiteboardCalls: 'read' }),
  sessionRoute('session-leave', 'session_leave', SESSION_STATE),
  sessionRoute('session-end', 'session_end', SESSION_STATE),
  sessionRoute('session-history', 'session_history', { ...REPLY_ONLY, whiteboardCalls: 'read', signingSecret: true }),
  // Adds a member's end-of-call quality summary to the session call's item: reads it, updates that one attribute.
  sessionRoute('session-quality', 'session_quality', { ...REPLY_ONLY, whiteboardCalls: 'read', whiteboardCallUpdates: true }),
  // The chat API's `ice_servers` and `ping`, for the session page: TURN credentials and a keepalive on its own socket.
  sessionRoute('session-ice-servers', 'ice_servers', { ...REPLY_ONLY, turnCredentials: true }),
  sessionRoute('session-ping', 'ping', REPLY_ONLY),
  platformRoute('platform-session-grants', PLATFORM_ROUTES.sessionGrants, { ...NO_ACCESS, signingSecret: true }),
  // Ends session calls at the window's end, the wait limit and the rejoin grace.
  {
    id: 'session-sweeper',
    entry: 'lambdas/handlers/session/session-sweeper.ts',
    trigger: { kind: 'schedule' },
    access: SESSION_STATE,
    postsTo: 'whiteboard',
  },
];

/** The function with this id; throws on an id the table does not have (a wiring fault). */
export function functionById(id: string): FunctionDefinition {
  const found = FUNCTIONS.find((fn) => fn.id === id);
  if (!found) throw new Error(`No function "${id}" in the function table`);
  return found;
}

/** The function a route key of an API (the chat API unless named) is routed to. */
export function functionForRoute(routeKey: RouteKey, api: WebSocketApiName = 'chat'): FunctionDefinition {
  const found = FUNCTIONS.find((fn) => fn.trigger.kind === 'route' && fn.trigger.api === api && fn.trigger.routeKey === routeKey);
  if (!found) throw new Error(`No function for route ${routeKey} of the ${api} API in the function table`);
  return found;
}

/** The route keys of one WebSocket API, in function table order. */
export const routeKeysOf = (api: WebSocketApiName): readonly RouteKey[] =>
  FUNCTIONS.flatMap((fn) => (fn.trigger.kind === 'route' && fn.trigger.api === api ? [fn.trigger.routeKey] : []));

/** The function definitions of one WebSocket API's routes, and everything that is not a route (authorizer, schedules, platform API). */
export const functionsOfApi = (definitions: readonly FunctionDefinition[], api: WebSocketApiName): FunctionDefinition[] =>
  definitions.filter((fn) => fn.trigger.kind !== 'route' || fn.trigger.api === api);

/** The chat API's route keys. */
export const ROUTE_KEYS: readonly RouteKey[] = routeKeysOf('chat');
/** The whiteboard API's route keys. */
export const WHITEBOARD_ROUTE_KEYS: readonly RouteKey[] = routeKeysOf('whiteboard');
/** The path of the whiteboard API on the local gateway's port (on AWS it is an API of its own). */
export const WHITEBOARD_LOCAL_PATH = '/whiteboard';

/** The platform API's route keys (`POST /v1/presence`, …), in function table order. */
export const HTTP_ROUTE_KEYS: readonly string[] = FUNCTIONS.flatMap((fn) => (fn.trigger.kind === 'http' ? [httpRouteKey(fn.trigger)] : []));

/** API Gateway's route selection expression, mirrored by the local gateway. */
export const ROUTE_SELECTION_EXPRESSION = '$request.body.type';

/**
 * How the function table is deployed (`-c functionLayout=…`): `per-route`, one Lambda function per
 * entry (least privilege per route, metrics and logs per route), or `grouped`, one function per API
 * (chat routes, whiteboard routes, platform routes; the authorizer and each schedule alone), which
 * meets about 4× fewer cold starts per call at low traffic (tests/bench/cold-start-model.ts).
 */
export const FUNCTION_LAYOUTS = ['per-route', 'grouped'] as const;
export type FunctionLayoutName = (typeof FUNCTION_LAYOUTS)[number];
export const DEFAULT_FUNCTION_LAYOUT: FunctionLayoutName = 'per-route';

/** Where the entry of a function serving several routes lives: it dispatches each event to its route's own handler. */
export const GROUP_ENTRY_DIR = 'lambdas/handlers/groups';

/** The function that serves an entry under the grouped layout: one per API; what is not a route stays alone. */
export function groupIdOf(definition: FunctionDefinition): string {
  if (definition.trigger.kind === 'route') return `${definition.trigger.api}-routes`;
  if (definition.trigger.kind === 'http') return 'platform-routes';
  return definition.id;
}

/** One Lambda function of a layout: its id, its entry, and the function table entries it serves. */
export interface DeployedFunctionSpec {
  id: string;
  entry: string;
  members: readonly FunctionDefinition[];
}

/** The Lambda functions of a layout, in function table order of their first member. */
export function deployedFunctionSpecs(
  layout: FunctionLayoutName,
  definitions: readonly FunctionDefinition[] = FUNCTIONS,
): DeployedFunctionSpec[] {
  if (layout === 'per-route')
    return definitions.map((definition) => ({ id: definition.id, entry: definition.entry, members: [definition] }));
  const specs = new Map<string, DeployedFunctionSpec>();
  for (const definition of definitions) {
    const id = groupIdOf(definition);
    const entry = id === definition.id ? definition.entry : `${GROUP_ENTRY_DIR}/${id}.ts`;
    const spec = specs.get(id);
    specs.set(id, { id, entry, members: [...(spec?.members ?? []), definition] });
  }
  return [...specs.values()];
}

/** The function table entries a group serves, in table order (the group handlers check theirs against it). */
export const membersOfGroup = (groupId: string, definitions: readonly FunctionDefinition[] = FUNCTIONS): FunctionDefinition[] =>
  definitions.filter((definition) => groupIdOf(definition) === groupId);
