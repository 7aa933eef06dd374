/**
 * A deployment that names its token issuer and audience (`TOKEN_ISSUER`, `TOKEN_AUDIENCE`) asks the
 * same of call grants: the platform API mints grants with them, and an invitation rings with such a
 * grant only, over real sockets and real signed HTTP.
 */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../lambdas/auth/token';
import { ENV } from '../../shared/env';
import { offer, startHarness, studentTutorGrant, type Harness } from '../support/harness';
import { PlatformClient } from '../support/platform-client';
import { TestSocket } from '../support/test-socket';

const ISSUANCE = { issuer: 'https://platform.example', audience: 'callsignal' };
const CONVERSATION = 'conv-iss';
let h: Harness;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  // The handlers read their settings once, so these are set before the gateway starts.
  process.env[ENV.callPolicy] = 'conversation';
  process.env[ENV.tokenIssuer] = ISSUANCE.issuer;
  process.env[ENV.tokenAudience] = ISSUANCE.audience;
  h = await startHarness();
});
afterAll(async () => {
  for (const name of [ENV.callPolicy, ENV.tokenIssuer, ENV.tokenAudience]) delete process.env[name];
  for (const socket of sockets) socket.terminate();
  await h?.close();
});

async function connect(profileType: string, profileId: number): Promise<TestSocket> {
  const { token } = await signToken(
    h.gateway.secret,
    { profile_type: profileType, profile_id: profileId, name: `${profileType} ${profileId}` },
    600,
    ISSUANCE,
  );
  const socket = await TestSocket.open(h.gateway.websocketUrl, token);
  sockets.push(socket);
  return socket;
}

const invitation = (tutorId: number, grant: string) => ({
  type: 'call_invitation',
  call_type: 'voice',
  to_profile_id: tutorId,
  to_profile_type: 'tutor',
  conversation_id: CONVERSATION,
  call_grant: grant,
  offer: offer(),
});

describe('call grants on a deployment with an issuer and an audience', () => {
  it('are minted by the platform API with that iss and aud, and ring', async () => {
    const caller = await connect('student', 8801);
    const callee = await connect('tutor', 8802);
    const platform = new PlatformClient(h.gateway.platformApiUrl, h.gateway.platformKey);
    const { body } = await platform.mintGrant({
      caller: { profile_type: 'student', profile_id: 8801 },
      callee: { profile_type: 'tutor', profile_id: 8802 },
      conversation_id: CONVERSATION,
    });
    expect(decodeJwt(body.call_grant)).toMatchObject({ iss: ISSUANCE.issuer, aud: ISSUANCE.audience });
    caller.send(invitation(8802, body.call_grant));
    const ringing = await caller.next('call_ringing');
    expect(await callee.next('call_invitation')).toMatchObject({ call_id: ringing.call_id });
  });

  it('refuse a grant without them, whose signature is otherwise good', async () => {
    const caller = await connect('student', 8803);
    const callee = await connect('tutor', 8804);
    const grant = await studentTutorGrant(h, 8803, 8804, CONVERSATION);
    caller.send(invitation(8804, grant));
    expect(await caller.next('error')).toMatchObject({ code: 'forbidden', request_type: 'call_invitation' });
    expect(await callee.quietFor(200, ['call_invitation'])).toEqual([]);
  });
});
