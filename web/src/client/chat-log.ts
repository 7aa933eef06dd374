/**
 * One call's chat: the messages sent and received, in that order, for the call's duration only.
 * Turns what the user typed into the peer message, and what the peer sent into an entry.
 */
import { MAX_CHAT_MESSAGE_CHARS } from '../../../shared/limits';
import { PEER_PROTOCOL_VERSION, type ChatMessage } from '../../../shared/peer-protocol';
import type { ChatEntry } from './call-types';

export class ChatLog {
  private readonly list: ChatEntry[] = [];
  /** Ids are each sender's own: a repeat from the same side is dropped, not shown twice. */
  private readonly seen = new Set<string>();

  get entries(): readonly ChatEntry[] {
    return this.list;
  }

  /** What the user typed, as an entry and its message; undefined when empty or too long. */
  compose(text: string): { entry: ChatEntry; message: ChatMessage } | undefined {
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.length > MAX_CHAT_MESSAGE_CHARS) return undefined;
    const entry: ChatEntry = { id: crypto.randomUUID(), text: trimmed, sentAt: new Date().toISOString(), from: 'me' };
    return { entry, message: { v: PEER_PROTOCOL_VERSION, type: 'chat', id: entry.id, text: entry.text, sent_at: entry.sentAt } };
  }

  /** A message from the peer as an entry. */
  static received(message: ChatMessage): ChatEntry {
    return { id: message.id, text: message.text, sentAt: message.sent_at, from: 'peer' };
  }

  /** Keeps `entry`; false for a repeat. */
  add(entry: ChatEntry): boolean {
    const key = `${entry.from}:${entry.id}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    this.list.push(entry);
    return true;
  }

  clear(): void {
    this.list.length = 0;
    this.seen.clear();
  }
}
