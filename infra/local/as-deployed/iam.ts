/**
 * IAM policy evaluation for one principal's identity-based statements, as AWS documents it: an
 * explicit Deny wins, otherwise a matching Allow allows, otherwise the request is implicitly denied.
 *
 * Conditions are not evaluated (there is no request context to evaluate them against), so a
 * conditional statement fails closed: it never allows, and it always denies.
 */

export type Effect = 'Allow' | 'Deny';

/** `Action` or `NotAction` (likewise `Resource` or `NotResource`): the patterns and whether they are negated. */
export interface PatternList {
  readonly negated: boolean;
  readonly patterns: readonly string[];
}

export interface PolicyStatement {
  readonly sid?: string;
  readonly effect: Effect;
  readonly actions: PatternList;
  readonly resources: PatternList;
  readonly condition?: Readonly<Record<string, unknown>>;
  /** The policy it comes from, for messages. */
  readonly source: string;
}

export type AccessVerdict = { readonly allowed: true } | { readonly allowed: false; readonly explicitDeny: boolean };

const ALLOWED: AccessVerdict = { allowed: true };
const EXPLICIT_DENY: AccessVerdict = { allowed: false, explicitDeny: true };
const IMPLICIT_DENY: AccessVerdict = { allowed: false, explicitDeny: false };

/** Compiled patterns, kept: the same few patterns are checked on every store call. */
const compiled = new Map<string, RegExp>();

function patternRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let regExp = compiled.get(key);
  if (!regExp) {
    const body = pattern
      .split('')
      .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/, '\\$&')))
      .join('');
    // `s`: a wildcard spans every character, `/` and `:` included, as IAM's does.
    regExp = new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
    compiled.set(key, regExp);
  }
  return regExp;
}

/** IAM's wildcard match: `*` any run of characters (none included), `?` exactly one. */
export function wildcardMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*') && !pattern.includes('?'))
    return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  return patternRegExp(pattern, ignoreCase).test(value);
}

function listMatches(list: PatternList, value: string, ignoreCase: boolean): boolean {
  const matched = list.patterns.some((pattern) => wildcardMatches(pattern, value, ignoreCase));
  return list.negated ? !matched : matched;
}

/** Whether a statement speaks of this request, conditions aside. Action names are case-insensitive, ARNs are not. */
export function statementApplies(statement: PolicyStatement, action: string, resource: string): boolean {
  return listMatches(statement.actions, action, true) && listMatches(statement.resources, resource, false);
}

export function evaluateAccess(statements: readonly PolicyStatement[], action: string, resource: string): AccessVerdict {
  let allowed = false;
  for (const statement of statements) {
    if (!statementApplies(statement, action, resource)) continue;
    if (statement.effect === 'Deny') return EXPLICIT_DENY;
    if (statement.condition === undefined) allowed = true;
  }
  return allowed ? ALLOWED : IMPLICIT_DENY;
}
