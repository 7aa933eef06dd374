/** Call grants as a handler receives them, verified with the deployment's signing secret. */
import type { GrantCheck } from '../core/call-policy';
import { verifyCallGrant, type GrantIssuance } from './call-grant';
import { signingSecret } from './signing-secret';

const ABSENT: GrantCheck = { kind: 'absent' };

/**
 * The secret is read only when a grant came: an open deployment without grants never needs it.
 * `issuance`: the deployment's `iss` / `aud` (`TOKEN_ISSUER`, `TOKEN_AUDIENCE`), required of grants when set.
 */
export async function checkGrant(grant: string | undefined, maxTtlSeconds: number, issuance: GrantIssuance = {}): Promise<GrantCheck> {
  if (grant === undefined) return ABSENT;
  return verifyCallGrant(await signingSecret(), grant, maxTtlSeconds, new Date(), issuance);
}

/** Each grant checked on its own (a bad one spoils only its own entry), in the order given. */
export function checkGrants(
  grants: readonly (string | undefined)[],
  maxTtlSeconds: number,
  issuance: GrantIssuance = {},
): Promise<GrantCheck[]> {
  return Promise.all(grants.map((grant) => checkGrant(grant, maxTtlSeconds, issuance)));
}
