/**
 * Reads a REQUEST authorizer's answer the way API Gateway does: the IAM policy must allow
 * `execute-api:Invoke` on the `$connect` method ARN (an explicit Deny wins), and the context may only
 * hold strings, numbers and booleans. Anything malformed is a configuration error (HTTP 500).
 */
import type { AuthorizerContextValues, AuthorizerValue } from './events';

export type AuthorizerDecision =
  | { effect: 'Allow'; authorizer: AuthorizerContextValues }
  | { effect: 'Deny' }
  | { effect: 'Invalid'; problem: string };

const INVOKE_ACTION = 'execute-api:Invoke';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** IAM wildcards: `*` any run of characters, `?` any one character. */
export function matchesWildcard(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

const isAuthorizerValue = (value: unknown): value is AuthorizerValue =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

export function evaluateAuthorizerResult(result: unknown, methodArn: string): AuthorizerDecision {
  if (!isRecord(result)) return { effect: 'Invalid', problem: 'the authorizer returned no policy' };
  const { principalId, policyDocument, context } = result;
  if (typeof principalId !== 'string' || principalId === '') return { effect: 'Invalid', problem: 'principalId is missing' };
  if (!isRecord(policyDocument)) return { effect: 'Invalid', problem: 'policyDocument is missing' };

  let allowed = false;
  for (const statement of asList(policyDocument.Statement)) {
    if (!isRecord(statement)) return { effect: 'Invalid', problem: 'a policy statement is not an object' };
    const actions = asList(statement.Action).filter((action): action is string => typeof action === 'string');
    const resources = asList(statement.Resource).filter((resource): resource is string => typeof resource === 'string');
    const applies =
      actions.some((action) => matchesWildcard(action, INVOKE_ACTION, true)) &&
      resources.some((resource) => matchesWildcard(resource, methodArn));
    if (!applies) continue;
    if (statement.Effect === 'Deny') return { effect: 'Deny' };
    if (statement.Effect === 'Allow') allowed = true;
  }
  if (!allowed) return { effect: 'Deny' };

  if (context !== undefined && context !== null && !isRecord(context)) return { effect: 'Invalid', problem: 'context is not an object' };
  const authorizer: AuthorizerContextValues = {};
  for (const [key, value] of Object.entries(context ?? {})) {
    if (value === undefined || value === null) continue;
    if (!isAuthorizerValue(value)) return { effect: 'Invalid', problem: `context value "${key}" is not a string, number or boolean` };
    authorizer[key] = value;
  }
  authorizer.principalId = principalId;
  return { effect: 'Allow', authorizer };
}
