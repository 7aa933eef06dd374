/**
 * My call settings as the server keeps them: who can call me, and whom I blocked. The server
 * sends them to every socket of the profile after each change, and its messages can overtake each
 * other, so only the newest (by `sent_at`) counts as the current settings.
 */
import type { BlockedProfileEntry, ClientMessageInput, ServerMessageOf, WhoCanCall } from '../../../shared/protocol';

type CallSettingsMessage = ServerMessageOf<'call_settings'>;

/** `everyone`, `conversations` (people I share a conversation with) or `nobody`. */
export type { WhoCanCall };
/** A profile I blocked, with the name it had when I blocked it (newest first in `blocked`). */
export type BlockedProfile = BlockedProfileEntry;
export type CallSettings = Pick<CallSettingsMessage, 'who_can_call' | 'blocked'>;
/** What to change; profiles to block may carry a name, so the block list can show who they are. */
export type CallSettingsChange = Omit<Extract<ClientMessageInput, { type: 'call_settings' }>, 'type'>;

export function settingsOf(message: CallSettingsMessage): CallSettings {
  return { who_can_call: message.who_can_call, blocked: message.blocked };
}

/** Keeps the newest settings the server sent; an older message arriving late is not news. */
export class NewestSettings {
  private newestSentAt = Number.NEGATIVE_INFINITY;

  /** The message's settings when they are no older than every one seen before; otherwise undefined. */
  accept(message: CallSettingsMessage): CallSettings | undefined {
    const sentAt = Date.parse(message.sent_at);
    if (sentAt < this.newestSentAt) return undefined;
    this.newestSentAt = sentAt;
    return settingsOf(message);
  }
}
