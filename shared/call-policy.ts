/**
 * Who may call whom, per deployment: `open` lets any signed-in profile ring any other (the local
 * default, so two windows can call each other); `conversation` rings only with a call grant the
 * platform minted for this caller, this callee and the invitation's conversation.
 */
import { SettingError } from './settings';

export const CALL_POLICIES = ['open', 'conversation'] as const;
export type CallPolicy = (typeof CALL_POLICIES)[number];
export const DEFAULT_CALL_POLICY: CallPolicy = 'open';

/** The `typ` claim that tells a call grant from a connect token (which has none). */
export const CALL_GRANT_TYPE = 'call_grant';

/** A policy by name (any case); `fallback` when unset; anything else is a `SettingError`. */
export function parseCallPolicy(setting: string, given: unknown, fallback: CallPolicy = DEFAULT_CALL_POLICY): CallPolicy {
  if (given === undefined || given === null || given === '') return fallback;
  const wanted = typeof given === 'string' ? given.trim().toLowerCase() : undefined;
  const found = CALL_POLICIES.find((policy) => policy === wanted);
  if (!found) throw new SettingError(setting, `one of ${CALL_POLICIES.join(', ')}`, given);
  return found;
}
