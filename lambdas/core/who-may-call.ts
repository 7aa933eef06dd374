/**
 * Whether a callee's own settings let this caller ring it, after the deployment's policy let the
 * call through (`call-policy.ts`). Pure. A caller refused here is never told so: it hears what a
 * call to an unknown or offline profile hears (see `invite.ts`, `presence.ts`); which rule refused
 * is for the operator's log only.
 */
import type { ProfileKey } from '../../shared/profile';
import type { ProfileSettings } from './profile-settings';

/** The rule of the callee's settings that refused the caller. */
export type CalleeRule = 'blocked' | 'nobody' | 'conversations';

/**
 * `vouched`: a verified call grant for this caller and this callee came with the request, so the
 * platform says the two share a conversation. A block wins over everything, `nobody` over any grant.
 */
export function calleeRefusal(settings: ProfileSettings, caller: ProfileKey, vouched: boolean): CalleeRule | undefined {
  if (settings.blocked.some((entry) => entry.key === caller)) return 'blocked';
  if (settings.whoCanCall === 'nobody') return 'nobody';
  if (settings.whoCanCall === 'conversations' && !vouched) return 'conversations';
  return undefined;
}

/** The routing line's reason for a refusal: the truth, for the operator. */
export const refusalReason = (rule: CalleeRule): string => `callee_settings_${rule}`;
