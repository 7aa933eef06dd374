/**
 * What a caller reads when the server will not ring a call, from real refusals on a real
 * WebSocket through the call client to the words of the page: plain sentences that name the
 * callee, never a protocol code, and the same words for a block as for an offline profile.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../shared/errors';
import type { Call, CallClient, CallEnd } from '../../web/src/client';
import { describeEnd } from '../../web/src/ui/outcomes';
import { ScriptedServer, connectedClient, envelope } from './fakes';

const ADA = { profile_id: 2, profile_type: 'tutor', name: 'Ada Lovelace' };

let server: ScriptedServer;
let client: CallClient;

beforeEach(async () => {
  server = await ScriptedServer.start();
  client = await connectedClient(server);
});
afterEach(async () => {
  client.close();
  await server.close();
});

/** Calls Ada, lets the server answer the invitation with `reply`, and returns what the page says. */
async function callAdaAndRead(reply: (callId: string) => void): Promise<string | undefined> {
  const call: Call = client.placeCall(ADA, 'voice');
  const ended = new Promise<CallEnd>((resolve) => call.on('ended', resolve));
  await server.frame('call_invitation');
  reply('01JCA000000000000000000777');
  return describeEnd(call, await ended)?.message;
}

const refuse = (code: ErrorCode) => () =>
  server.send({ type: 'error', code, message: `internal detail of ${code}`, request_type: 'call_invitation' });

describe('a refused call, in words', () => {
  it('forbidden (no conversation vouched for): "<name> can\'t be called right now"', async () => {
    expect(await callAdaAndRead(refuse('forbidden'))).toBe("Ada Lovelace can't be called right now.");
  });

  it('too many rings to one callee: try again in a few minutes', async () => {
    expect(await callAdaAndRead(refuse('rate_limited'))).toBe("You've called Ada Lovelace several times; try again in a few minutes.");
  });

  it('declined as offline (also what a block or "Nobody" answers): reads true for each, names none', async () => {
    const message = await callAdaAndRead((callId) =>
      server.send({ type: 'call_declined', ...envelope(callId, { id: 2, type: 'tutor', name: null }), reason: 'offline' }),
    );
    expect(message).toBe("Ada Lovelace can't be reached right now. They may be offline or not taking calls.");
  });

  it("a refusal the page has no sentence for still reads as one, without the server's text", async () => {
    const message = await callAdaAndRead(refuse('internal'));
    expect(message).toBe("Ada Lovelace can't be called right now.");
    expect(message).not.toContain('internal');
  });
});
