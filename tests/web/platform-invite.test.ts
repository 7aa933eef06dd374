/**
 * Calls the platform starts (seed 000's `call_invite`) through the call client, against a scripted
 * server on a real WebSocket: the callee's page rings and accepts, then answers the caller's offer
 * by itself; the caller's page places the accepted call by itself; and calls a page places get the
 * vouching its `vouchFor` gives.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallError, CallErrorCode, type Call, type CallClient, type CallEnd, type CallVouching } from '../../web/src/client';
import { FakePeerConnection, ScriptedServer, callId, connectedClient, envelope, inSeconds, now, until } from './fakes';

let server: ScriptedServer;
let client: CallClient;
const PATRICK = { id: 7, type: 'student', name: 'Patrick' };
const KESAVAN = { id: 8, type: 'tutor', name: 'Kesavan' };

async function startClient(vouchFor?: (to: { profile_id: string | number; profile_type: string }) => Promise<CallVouching>) {
  client = await connectedClient(server, vouchFor ? { vouchFor } : {});
}

beforeEach(async () => {
  FakePeerConnection.created.length = 0;
  server = await ScriptedServer.start();
});
afterEach(async () => {
  client.close();
  await server.close();
});

const ended = (call: Call): Promise<CallEnd> => new Promise((resolve) => call.on('ended', resolve));

/** Seed 000's `call_invite` from Patrick, as the server sends it to the callee's sockets. */
function callInvite(id: string, from: { id: number; type: string; name: string | null } = PATRICK) {
  return {
    type: 'call_invite' as const,
    from_user_id: `user-${from.id}`,
    caller_name: from.name ?? 'Someone',
    timestamp: now(),
    ...envelope(id, from),
    call_type: 'voice' as const,
    expires_at: inSeconds(45),
  };
}

describe('the callee of a call the platform started', () => {
  beforeEach(() => startClient());

  it('rings with the caller seed 000 names, accepts, and answers the offer that follows by itself', async () => {
    const id = callId();
    const incoming = new Promise<Call>((resolve) => client.on('incoming', resolve));
    server.send(callInvite(id));
    const call = await incoming;
    expect(call).toMatchObject({ id, direction: 'incoming', type: 'voice', state: 'ringing' });
    expect(call.peer).toMatchObject({ profileId: 7, profileType: 'student', name: 'Patrick' });

    await call.accept();
    expect(await server.frame('call_invite_accept')).toEqual({ type: 'call_invite_accept', call_id: id });
    expect(call.state).toBe('connecting');
    expect(server.framesOf('call_answer')).toEqual([]);

    server.send({
      type: 'call_invitation',
      ...envelope(id, PATRICK),
      call_type: 'voice',
      to_profile_id: 8,
      to_profile_type: 'tutor',
      offer: { type: 'offer', sdp: 'v=0 caller offer' },
      expires_at: inSeconds(45),
    });
    expect(await server.frame('call_answer')).toMatchObject({ call_id: id, answer: { type: 'answer' } });
    expect(FakePeerConnection.last().remoteDescription).toMatchObject({ sdp: 'v=0 caller offer' });
    FakePeerConnection.last().becomes('connected');
    expect(call.state).toBe('connected');
  });

  it('rejects with the usual call_declined', async () => {
    const id = callId();
    const incoming = new Promise<Call>((resolve) => client.on('incoming', resolve));
    server.send(callInvite(id));
    const call = await incoming;
    call.decline();
    expect(await server.frame('call_declined')).toMatchObject({ call_id: id, reason: 'rejected' });
    expect(call.end).toMatchObject({ reason: 'declined' });
  });

  it('declines busy while it is in another call', async () => {
    const first = new Promise<Call>((resolve) => client.on('incoming', resolve));
    server.send(callInvite(callId()));
    await first;
    const second = callId();
    server.send(callInvite(second, { id: 9, type: 'student', name: 'Sam' }));
    expect(await server.frame('call_declined', (frame) => frame.call_id === second)).toMatchObject({ reason: 'busy' });
  });
});

describe('the caller of a call the platform started', () => {
  beforeEach(() => startClient());

  it('places the accepted call by itself: the offer carries the call id, and the answer connects it', async () => {
    const id = callId();
    const outgoing = new Promise<Call>((resolve) => client.on('outgoing', resolve));
    server.send({ type: 'call_invite_accepted', ...envelope(id, KESAVAN), call_type: 'voice', expires_at: inSeconds(45) });
    const call = await outgoing;
    expect(call).toMatchObject({ id, direction: 'outgoing', type: 'voice' });
    expect(call.peer).toMatchObject({ profileId: 8, profileType: 'tutor', name: 'Kesavan' });

    expect(await server.frame('call_invitation')).toMatchObject({
      call_id: id,
      call_type: 'voice',
      to_profile_id: 8,
      to_profile_type: 'tutor',
      offer: { type: 'offer' },
    });
    server.send({
      type: 'call_ringing',
      call_id: id,
      conversation_id: null,
      to_profile_id: 8,
      to_profile_type: 'tutor',
      devices: 1,
      expires_at: inSeconds(45),
      sent_at: now(),
    });
    await until(() => call.state === 'ringing');
    server.send({ type: 'call_answer', ...envelope(id, KESAVAN), answer: { type: 'answer', sdp: 'v=0 callee answer' } });
    await until(() => call.state === 'connecting');
    FakePeerConnection.last().becomes('connected');
    expect(call.state).toBe('connected');
  });

  it('gives way when another tab of the caller offered first', async () => {
    const id = callId();
    const outgoing = new Promise<Call>((resolve) => client.on('outgoing', resolve));
    server.send({ type: 'call_invite_accepted', ...envelope(id, KESAVAN), call_type: 'voice', expires_at: inSeconds(45) });
    const call = await outgoing;
    await server.frame('call_invitation');
    const done = ended(call);
    server.send({ type: 'call_ended', ...envelope(id, PATRICK), reason: 'answered_elsewhere' });
    expect(await done).toMatchObject({ reason: 'answered_elsewhere' });
  });
});

describe('a page that vouches for its calls with vouchFor', () => {
  it('sends the grant and conversation vouchFor gives, for the profile called', async () => {
    const asked: unknown[] = [];
    await startClient(async (to) => {
      asked.push(to);
      return { conversationId: 'dev', grant: 'a.dev.grant' };
    });
    client.placeCall({ profile_id: 8, profile_type: 'tutor' }, 'video');
    expect(await server.frame('call_invitation')).toMatchObject({ to_profile_id: 8, conversation_id: 'dev', call_grant: 'a.dev.grant' });
    expect(asked).toEqual([{ profile_id: 8, profile_type: 'tutor' }]);
  });

  it('fails the call as refused, sending nothing, when vouchFor cannot vouch', async () => {
    await startClient(() => Promise.reject(new CallError(CallErrorCode.Refused, 'no grant', 'forbidden')));
    const call = client.placeCall({ profile_id: 8, profile_type: 'tutor' }, 'video');
    expect(await ended(call)).toMatchObject({ reason: 'failed', error: { code: CallErrorCode.Refused, serverCode: 'forbidden' } });
    expect(server.framesOf('call_invitation')).toEqual([]);
  });
});
