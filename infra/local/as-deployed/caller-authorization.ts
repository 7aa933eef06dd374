/**
 * Who may do what, by access key: each function signs its AWS calls with a key of its own, and the
 * local endpoints ask this which function that is and what its role's statements say.
 */
import { evaluateAccess, type PolicyStatement } from './iam';
import type { RequestedAccess } from './aws-requests';

/** The identity a function's calls run as: its role, in a session named after the function. */
export interface CallerPrincipal {
  readonly roleName: string;
  readonly functionName: string;
}

export type AuthorizationDecision =
  | { readonly verdict: 'allowed' }
  | { readonly verdict: 'denied'; readonly principal: CallerPrincipal; readonly explicitDeny: boolean }
  /** No principal has this access key: AWS answers as for a forged or deleted key. */
  | { readonly verdict: 'unknown-caller' };

export type Authorize = (accessKeyId: string, action: string, resource: string) => AuthorizationDecision;

export interface Caller extends CallerPrincipal {
  readonly statements: readonly PolicyStatement[];
}

const ALLOWED = { verdict: 'allowed' } as const;
const UNKNOWN_CALLER = { verdict: 'unknown-caller' } as const;

/** Decides by the statements of the caller holding the key (a `DeployedFunction` is a `Caller`). */
export function authorizeCallers(callersByAccessKey: ReadonlyMap<string, Caller>): Authorize {
  return (accessKeyId, action, resource) => {
    const caller = callersByAccessKey.get(accessKeyId);
    if (!caller) return UNKNOWN_CALLER;
    const verdict = evaluateAccess(caller.statements, action, resource);
    if (verdict.allowed) return ALLOWED;
    return {
      verdict: 'denied',
      principal: { roleName: caller.roleName, functionName: caller.functionName },
      explicitDeny: verdict.explicitDeny,
    };
  };
}

export type RequestDecision =
  | { readonly verdict: 'allowed' }
  | { readonly verdict: 'denied'; readonly principal: CallerPrincipal; readonly explicitDeny: boolean; readonly access: RequestedAccess }
  | { readonly verdict: 'unknown-caller' };

/** A request is allowed when every access it needs is; otherwise the first refusal is its answer. */
export function authorizeRequest(
  authorize: Authorize,
  accessKeyId: string | undefined,
  accesses: readonly RequestedAccess[],
): RequestDecision {
  if (accessKeyId === undefined) return UNKNOWN_CALLER;
  for (const access of accesses) {
    const decision = authorize(accessKeyId, access.action, access.resource);
    if (decision.verdict === 'denied') return { ...decision, access };
    if (decision.verdict === 'unknown-caller') return UNKNOWN_CALLER;
  }
  return ALLOWED;
}
