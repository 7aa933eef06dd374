/**
 * On AWS each route runs in its own containers, each with its own memory. Two call services over
 * one real store stand for two containers: what one remembers must never misroute after the other
 * moved the call. The sockets are a recording stand-in for the management API (the one part that
 * cannot run without a gateway); everything else is the real core and the real store.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { monotonicFactory } from 'ulid';
import { DynamoCallStore } from '../../lambdas/adapters/dynamo-store';
import { CallService } from '../../lambdas/core/calls';
import type { DeliveryResult, Sender, SocketPort } from '../../lambdas/core/model';
import { ensureTables, startStore, type LocalStore } from '../../infra/local/store';
import { createLog } from '../../infra/local/log';
import { profileKey } from '../../shared/profile';
import { TABLES } from '../../shared/tables';

let store: LocalStore;
beforeAll(async () => {
  store = await startStore(undefined);
  await ensureTables(store.client, TABLES, createLog('error'));
});
afterAll(async () => {
  await store?.close();
});

/** Sockets that are open until closed; what each received, in order. */
class Sockets implements SocketPort {
  readonly open = new Set<string>();
  readonly received = new Map<string, string[]>();
  async post(connectionId: string, payload: string): Promise<DeliveryResult> {
    if (!this.open.has(connectionId)) return 'gone';
    this.received.set(connectionId, [...(this.received.get(connectionId) ?? []), JSON.parse(payload).type as string]);
    return 'sent';
  }
}

const sender = (connectionId: string, profileType: string, profileId: number): Sender => ({
  connectionId,
  identity: { profileId, profileType, name: `${profileType} ${profileId}`, avatar: null, userId: null },
  key: profileKey(profileType, profileId),
});

it('delivers candidates to the socket a call moved to in another container, and to nothing stale', async () => {
  const db = new DynamoCallStore({ connections: 'connections', callLogs: 'call_logs' }, store.client);
  const sockets = new Sockets();
  const newCallId = monotonicFactory();
  const container = () =>
    new CallService({
      store: db,
      sockets,
      settings: { ringTimeoutSeconds: 45, resumeGraceSeconds: 60, profileTypes: ['student', 'tutor'] },
      clock: { now: () => new Date() },
      newCallId: () => newCallId(),
    });
  const [invitations, candidates, resumes] = [container(), container(), container()];

  const caller = sender('caller-1', 'student', 1);
  const callee = sender('callee-1', 'tutor', 2);
  for (const socket of [caller, callee]) {
    sockets.open.add(socket.connectionId);
    await db.putSocket({ connectionId: socket.connectionId, profileKey: socket.key, connectedAt: new Date().toISOString() }, Date.now() / 1000 + 600);
  }
  const [ringing] = await invitations.invite(caller, {
    type: 'call_invitation',
    call_type: 'voice',
    to_profile_id: 2,
    to_profile_type: 'tutor',
    offer: { type: 'offer', sdp: 'v=0' },
    conversation_id: null,
  });
  const callId = ringing!.call_id!;
  await invitations.answer(callee, { type: 'call_answer', call_id: callId, answer: { type: 'answer', sdp: 'v=0' } });

  const candidate = { type: 'ice_candidate' as const, call_id: callId, candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host' } };
  await candidates.candidates(caller, candidate); // remembered by this container from here on
  expect(sockets.received.get('callee-1')).toEqual(['call_invitation', 'ice_candidate']);

  // The callee's socket is replaced and the call re-bound, in a third container.
  sockets.open.delete('callee-1');
  const moved = sender('callee-2', 'tutor', 2);
  sockets.open.add('callee-2');
  await resumes.resume(moved, { type: 'call_resume', call_id: callId });

  const [forwarded] = await candidates.candidates(caller, candidate);
  expect(forwarded).toMatchObject({ outcome: 'forwarded', sockets_reached: 1 });
  expect(sockets.received.get('callee-2')).toEqual(['call_resumed', 'ice_candidate']);
  // The stale route was not taken for a drop: nobody was told the callee is reconnecting.
  expect(sockets.received.get('caller-1')).not.toContain('peer_reconnecting');
  expect(await db.getCall(callId)).toMatchObject({ status: 'answered', callee_connection_ids: ['callee-2'] });
});
