/**
 * API Gateway's route selection on `$request.body.type`: a text frame that is a JSON object whose
 * string `type` names a route goes there; anything else (not JSON, no type, an unknown type, a
 * binary frame) goes to `$default`. `$connect` and `$disconnect` are never selectable by a message.
 */

export const DEFAULT_ROUTE = '$default';

export function selectRoute(text: string | undefined, routeKeys: ReadonlySet<string>): string {
  if (text === undefined) return DEFAULT_ROUTE;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return DEFAULT_ROUTE;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return DEFAULT_ROUTE;
  const type: unknown = (parsed as { type?: unknown }).type;
  if (typeof type !== 'string' || type.startsWith('$') || !routeKeys.has(type)) return DEFAULT_ROUTE;
  return type;
}
