/**
 * An embedding platform vouches for a call through the call client: the conversation and the call
 * grant reach the server in the invitation, and a `forbidden` refusal ends the call as refused.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallErrorCode, type Call, type CallClient, type CallEnd } from '../../web/src/client';
import { FakePeerConnection, ScriptedServer, connectedClient } from './fakes';

let server: ScriptedServer;
let client: CallClient;
const TUTOR = { profile_id: 2, profile_type: 'tutor' } as const;

beforeEach(async () => {
  FakePeerConnection.created.length = 0;
  server = await ScriptedServer.start();
  client = await connectedClient(server);
});
afterEach(async () => {
  client.close();
  await server.close();
});

const ended = (call: Call): Promise<CallEnd> => new Promise((resolve) => call.on('ended', resolve));

describe('placing a call the platform vouches for', () => {
  it('sends the conversation and the call grant with the invitation', async () => {
    client.placeCall(TUTOR, 'video', { conversationId: 9001, grant: 'the.platform.grant' });
    const invitation = await server.frame('call_invitation');
    expect(invitation).toMatchObject({
      to_profile_id: 2,
      to_profile_type: 'tutor',
      conversation_id: 9001,
      call_grant: 'the.platform.grant',
    });
  });

  it('sends neither when the platform passes none', async () => {
    client.placeCall(TUTOR, 'voice');
    const invitation = await server.frame('call_invitation');
    expect(invitation).not.toHaveProperty('call_grant');
    expect(invitation).not.toHaveProperty('conversation_id');
  });

  it('ends the call as refused when the server forbids it', async () => {
    const call = client.placeCall(TUTOR, 'video', { conversationId: 9001, grant: 'an.expired.grant' });
    await server.frame('call_invitation');
    const done = ended(call);
    server.send({ type: 'error', code: 'forbidden', message: 'You may not call this profile', request_type: 'call_invitation' });
    expect(await done).toMatchObject({ reason: 'failed', error: { code: CallErrorCode.Refused, serverCode: 'forbidden' } });
  });
});
