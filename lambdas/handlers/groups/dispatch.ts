/**
 * One Lambda function serving several routes (the grouped layout, `shared/routes.ts`): each event
 * goes to the handler its route has under the per-route layout. That handler still looks up its own
 * function table entry and builds its own runtime from it (`getRuntime(definition)` keys runtimes by
 * entry), so sharing the process gives no route another's access, adapters or rate limiter.
 */
import type { Context } from 'aws-lambda';
import { httpRouteKey } from '../../../shared/platform-api';
import { membersOfGroup, type FunctionDefinition } from '../../../shared/routes';

export type RouteHandler<Event, Result> = (event: Event, context?: Context) => Promise<Result>;

/** The key API Gateway puts on a member's events: the WebSocket route key, or `METHOD /path` of the HTTP API. */
export function eventRouteKeyOf(definition: FunctionDefinition): string {
  const { trigger } = definition;
  if (trigger.kind === 'route') return trigger.routeKey;
  if (trigger.kind === 'http') return httpRouteKey(trigger);
  throw new Error(`${definition.id} is not a route: it is deployed alone, never in a group`);
}

/**
 * The group's handler. `handlers` must name exactly the group's members (checked at init: a route
 * added to the table but not to its group fails the cold start, not a request).
 */
export function groupHandler<Event, Result>(
  groupId: string,
  handlers: Readonly<Record<string, RouteHandler<Event, Result>>>,
  routeKeyOfEvent: (event: Event) => string,
): RouteHandler<Event, Result> {
  const members = membersOfGroup(groupId);
  const memberIds = new Set(members.map((member) => member.id));
  const unserved = members.filter((member) => !handlers[member.id]).map((member) => member.id);
  const strangers = Object.keys(handlers).filter((id) => !memberIds.has(id));
  if (unserved.length > 0 || strangers.length > 0) {
    throw new Error(
      `The ${groupId} group does not match the function table: missing ${unserved.join(', ') || 'none'}, not members ${strangers.join(', ') || 'none'}`,
    );
  }
  const byRouteKey = new Map<string, RouteHandler<Event, Result>>();
  for (const member of members) {
    const handler = handlers[member.id];
    if (handler) byRouteKey.set(eventRouteKeyOf(member), handler);
  }
  return (event, context) => {
    const routeKey = routeKeyOfEvent(event);
    const handler = byRouteKey.get(routeKey);
    // API Gateway only routes the keys integrated with this function: anything else is a wiring fault.
    if (!handler) throw new Error(`The ${groupId} function serves no route "${routeKey}"`);
    return handler(event, context);
  };
}
