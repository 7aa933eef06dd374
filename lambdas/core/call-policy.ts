/**
 * Whether an invitation may ring, by the deployment's call policy and the platform's call grant.
 * Pure: the grant arrives already verified (or not) by `lambdas/auth/call-grant.ts`.
 *
 * A grant, when sent, is always checked, even under `open`, so a platform can roll grants out
 * before it turns `conversation` on. Every refusal is the same `forbidden` to the caller: which
 * check failed is for the operator's log only, and nothing about the callee is revealed.
 */
import type { CallPolicy } from '../../shared/call-policy';
import { profileKey, type ProfileRef } from '../../shared/profile';
import type { ClientMessageOf } from '../../shared/protocol';
import { ProtocolError } from './errors';
import type { Sender } from './model';

/** What a verified grant vouches for. */
export interface CallGrant {
  caller: ProfileRef;
  callee: ProfileRef;
  conversationId: string | number;
  callType?: ClientMessageOf<'call_invitation'>['call_type'];
}

/** Why a grant did not verify (the operator's log says which). */
export type GrantFailure = 'malformed' | 'bad_signature' | 'expired' | 'invalid_claims' | 'too_long_lived';

export type GrantCheck = { kind: 'absent' } | { kind: 'invalid'; failure: GrantFailure } | { kind: 'verified'; grant: CallGrant };

export type Refusal = 'no_grant' | GrantFailure | 'other_caller' | 'other_callee' | 'other_conversation' | 'other_call_type';

export type Verdict = { allowed: true } | { allowed: false; refusal: Refusal };

type Invitation = Pick<ClientMessageOf<'call_invitation'>, 'to_profile_id' | 'to_profile_type' | 'conversation_id' | 'call_type'>;

const ALLOWED: Verdict = { allowed: true };
const refuse = (refusal: Refusal): Verdict => ({ allowed: false, refusal });

/** Whether a verified grant is for this caller and this callee (profiles compare by key, ids by their string form, as sockets are found). */
function pairRefusal(grant: CallGrant, sender: Sender, callee: ProfileRef): Refusal | undefined {
  if (profileKey(grant.caller.profile_type, grant.caller.profile_id) !== sender.key) return 'other_caller';
  if (profileKey(grant.callee.profile_type, grant.callee.profile_id) !== profileKey(callee.profile_type, callee.profile_id)) {
    return 'other_callee';
  }
  return undefined;
}

export function decideCall(policy: CallPolicy, check: GrantCheck, sender: Sender, invitation: Invitation): Verdict {
  if (check.kind === 'absent') return policy === 'open' ? ALLOWED : refuse('no_grant');
  if (check.kind === 'invalid') return refuse(check.failure);
  const { grant } = check;
  const pair = pairRefusal(grant, sender, { profile_type: invitation.to_profile_type, profile_id: invitation.to_profile_id });
  if (pair) return refuse(pair);
  const conversation = invitation.conversation_id;
  if (conversation === undefined || conversation === null || String(conversation) !== String(grant.conversationId)) {
    return refuse('other_conversation');
  }
  if (grant.callType !== undefined && grant.callType !== invitation.call_type) return refuse('other_call_type');
  return ALLOWED;
}

/**
 * Whether `sender` may call `callee` at all, as far as the policy goes: what presence asks, with a
 * grant for the pair (any conversation, any call type) where the policy wants one.
 */
export function decideReach(policy: CallPolicy, check: GrantCheck, sender: Sender, callee: ProfileRef): Verdict {
  if (check.kind === 'absent') return policy === 'open' ? ALLOWED : refuse('no_grant');
  if (check.kind === 'invalid') return refuse(check.failure);
  const pair = pairRefusal(check.grant, sender, callee);
  return pair ? refuse(pair) : ALLOWED;
}

/** The one answer every refusal gets, whatever check failed. */
export class CallForbidden extends ProtocolError {
  constructor(readonly refusal: Refusal) {
    super('forbidden', 'You may not call this profile');
    this.name = 'CallForbidden';
  }
}

/**
 * What an invitation the policy let through carries on to the callee's settings: whether a verified
 * grant vouches for this caller and this callee (a callee that takes calls from its conversations
 * only rings then).
 */
export interface PolicyPassed {
  vouched: boolean;
}

/** Throws `CallForbidden` unless the invitation may ring. */
export function requireMayCall(policy: CallPolicy, check: GrantCheck, sender: Sender, invitation: Invitation): PolicyPassed {
  const verdict = decideCall(policy, check, sender, invitation);
  if (!verdict.allowed) throw new CallForbidden(verdict.refusal);
  return { vouched: check.kind === 'verified' };
}
