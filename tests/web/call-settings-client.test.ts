/**
 * The call client's settings (who can call me, blocks) against a scripted server on a real
 * WebSocket: a change resolves with the server's answer, changes made on other tabs arrive as
 * events, a late older message does not undo a newer one, and a change made offline fails at once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServerMessageOf } from '../../shared/protocol';
import { CallErrorCode, type CallClient, type CallSettings } from '../../web/src/client';
import { ScriptedServer, fakeClient, until } from './fakes';

let server: ScriptedServer;
const clients: CallClient[] = [];

const SAM = { profile_id: 7, profile_type: 'student', name: 'Sam Carter' };

function settingsMessage(settings: CallSettings, sentAt = new Date()): ServerMessageOf<'call_settings'> {
  return { type: 'call_settings', ...settings, sent_at: sentAt.toISOString() };
}

function newClient(): { client: CallClient; changes: CallSettings[] } {
  const client = fakeClient(server, { queryTimeoutMs: 2_000 });
  const changes: CallSettings[] = [];
  client.on('callSettings', (settings) => changes.push(settings));
  clients.push(client);
  return { client, changes };
}

async function connected(): Promise<{ client: CallClient; changes: CallSettings[] }> {
  const made = newClient();
  made.client.connect();
  await until(() => made.client.socket.isOpen, 2_000, 'client connected');
  return made;
}

beforeEach(async () => {
  server = await ScriptedServer.start();
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server.close();
});

describe('call settings in the call client', () => {
  it('a block resolves with the block list the server answered with, and is told as a change', async () => {
    const { client, changes } = await connected();
    const blocking = client.updateCallSettings({ block: [SAM] });
    const frame = await server.frame('call_settings');
    expect(frame).toEqual({ type: 'call_settings', block: [SAM] });

    const answered: CallSettings = { who_can_call: 'everyone', blocked: [SAM] };
    server.send(settingsMessage(answered));
    expect(await blocking).toEqual(answered);
    expect(changes).toEqual([answered]);
  });

  it('reading asks with a bare call_settings and resolves with what the server keeps', async () => {
    const { client } = await connected();
    const reading = client.callSettings();
    expect(await server.frame('call_settings')).toEqual({ type: 'call_settings' });
    server.send(settingsMessage({ who_can_call: 'nobody', blocked: [] }));
    expect(await reading).toEqual({ who_can_call: 'nobody', blocked: [] });
  });

  it('a change made on another tab arrives as an event, without asking', async () => {
    const { changes } = await connected();
    server.send(settingsMessage({ who_can_call: 'conversations', blocked: [] }));
    await until(() => changes.length === 1, 2_000, 'the change');
    expect(changes[0]?.who_can_call).toBe('conversations');
  });

  it('an older settings message arriving after a newer one does not undo it', async () => {
    const { changes } = await connected();
    const at = Date.now();
    server.send(settingsMessage({ who_can_call: 'nobody', blocked: [SAM] }, new Date(at)));
    server.send(settingsMessage({ who_can_call: 'everyone', blocked: [] }, new Date(at - 1_000)));
    // One socket delivers in order: once this one is told, the older one has been read and passed over.
    server.send(settingsMessage({ who_can_call: 'conversations', blocked: [SAM] }, new Date(at + 1_000)));
    await until(() => changes.length === 2, 2_000, 'the changes');
    expect(changes.map((change) => change.who_can_call)).toEqual(['nobody', 'conversations']);
  });

  it('a change made while offline fails at once and is never sent later', async () => {
    const { client } = newClient();
    await expect(client.updateCallSettings({ who_can_call: 'nobody' })).rejects.toMatchObject({ code: CallErrorCode.NotConnected });
    client.connect();
    await until(() => client.socket.isOpen, 2_000, 'client connected');
    client.socket.send({ type: 'call_history' }); // a marker sent after whatever was queued
    await server.frame('call_history');
    expect(server.framesOf('call_settings')).toEqual([]);
  });

  it('a refused change rejects with the server code', async () => {
    const { client } = await connected();
    const changing = client.updateCallSettings({ unblock: [{ profile_id: 7, profile_type: 'student' }] });
    await server.frame('call_settings');
    server.send({ type: 'error', code: 'rate_limited', message: 'slow down', request_type: 'call_settings' });
    await expect(changing).rejects.toMatchObject({ code: CallErrorCode.Refused, serverCode: 'rate_limited' });
  });
});
