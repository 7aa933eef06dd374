/**
 * How a person's page reads its call history, from the real gateway's call logs: the words of
 * `history-outcome.ts` for a log fetched over a real socket, from that person's side.
 */
import type { CallLog } from '../../shared/protocol';
import { offer, type Harness } from '../support/harness';
import type { TestSocket } from '../support/test-socket';
import { displayName } from '../../web/src/ui/format';
import { describeHistoryEntry, type HistoryEntry } from '../../web/src/ui/history-outcome';

export interface Person {
  socket: TestSocket;
  type: string;
  id: number;
}

export type HistoryReader = ReturnType<typeof historyReader>;

let nextId = 5000 + Math.floor(Math.random() * 1000) * 10;

export function historyReader(h: Harness) {
  return {
    freshId: (): number => nextId++,

    async person(type: string, name: string): Promise<Person> {
      const profileId = nextId++;
      return { socket: await h.connect(type, profileId, name), type, id: profileId };
    },

    invite(from: Person, to: { type: string; id: number }): void {
      from.socket.send({ type: 'call_invitation', call_type: 'voice', to_profile_id: to.id, to_profile_type: to.type, offer: offer() });
    },

    /** How `viewer`'s history reads the call `callId` once the log has its final status; undefined when it is not there. */
    async readsAs(viewer: Person, callId: string): Promise<HistoryEntry | undefined> {
      await h.settledLog(callId, (call) => call.status !== 'initiated' && call.status !== 'answered');
      viewer.socket.send({ type: 'call_history', limit: 20 });
      const { items } = await viewer.socket.next('call_history');
      const log: CallLog | undefined = items.find((item) => item.call_id === callId);
      if (!log) return undefined;
      const outgoing = log.caller_profile_type === viewer.type && log.caller_profile_id === String(viewer.id);
      const peer = outgoing
        ? { type: log.callee_profile_type, id: log.callee_profile_id }
        : { type: log.caller_profile_type, id: log.caller_profile_id };
      const named = log.participants.find((p) => p.profile_type === peer.type && p.profile_id === peer.id)?.name;
      return describeHistoryEntry(log, outgoing, displayName(named, peer.type, peer.id));
    },
  };
}
