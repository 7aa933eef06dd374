/**
 * Faults: the gateway killed with SIGKILL mid-call and restarted on the same data directory.
 * No call log is lost; sockets that died without `$disconnect` are found gone (410) and cleaned up;
 * clients reconnect and resume their call.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signToken } from '../../lambdas/auth/token';
import type { CallRecord } from '../../lambdas/core/model';
import { CALL_LOGS_TABLE } from '../../shared/tables';
import { freePort, signingSecretOf, startGatewayProcess, type GatewayProcess } from '../support/gateway-process';
import { answer, candidate, offer } from '../support/harness';
import { callInvariantViolations } from '../support/invariants';
import { TestSocket } from '../support/test-socket';

let dataDir: string;
let gateway: GatewayProcess | undefined;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'faults-'));
});
afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await gateway?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function storeOf(endpoint: string) {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  );
}

async function connect(profileType: string, profileId: number, name: string): Promise<TestSocket> {
  const { token } = await signToken(await signingSecretOf(dataDir), { profile_type: profileType, profile_id: profileId, name });
  const socket = await TestSocket.open(gateway!.websocketUrl, token);
  sockets.push(socket);
  return socket;
}

it('keeps the call log through a SIGKILL, cleans up dead sockets, and lets both parties resume', async () => {
  const port = await freePort();
  const args = ['--port', String(port), '--data-dir', dataDir, '--resume-grace', '30'];
  gateway = await startGatewayProcess(args);

  const caller = await connect('student', 1, 'John Doe');
  const callee = await connect('tutor', 2, 'Ada Tutor');
  await connect('parent', 3, 'Only Socket Dies');
  caller.send({ type: 'call_invitation', call_type: 'video', to_profile_id: 2, to_profile_type: 'tutor', offer: offer() });
  const { call_id: callId } = await callee.next('call_invitation');
  callee.send({ type: 'call_answer', call_id: callId, answer: answer() });
  await caller.next('call_answer');

  await gateway.kill();
  await Promise.all([caller.closed, callee.closed]);
  gateway = await startGatewayProcess(args);
  const store = storeOf(gateway.dynamodbEndpoint);

  // The answered call survived the crash.
  const { Item } = await store.send(new GetCommand({ TableName: CALL_LOGS_TABLE.localName, Key: { call_id: callId } }));
  expect(Item as CallRecord | undefined).toMatchObject({ status: 'answered', caller_profile_id: '1', callee_profile_id: '2' });

  // The parent's socket died with the old process and never ran $disconnect: found gone, so offline.
  const dialer = await connect('advertiser', 4, 'Dialer');
  dialer.send({ type: 'call_invitation', call_type: 'voice', to_profile_id: 3, to_profile_type: 'parent', offer: offer() });
  expect(await dialer.next('call_declined')).toMatchObject({ reason: 'offline' });
  dialer.send({ type: 'presence_query', profiles: [{ profile_id: 3, profile_type: 'parent' }] });
  expect((await dialer.next('presence')).profiles[0]?.online).toBe(false);

  // Both parties come back on new sockets and take their call over.
  const callerAgain = await connect('student', 1, 'John Doe');
  const calleeAgain = await connect('tutor', 2, 'Ada Tutor');
  callerAgain.send({ type: 'call_resume', call_id: callId });
  await callerAgain.next('call_resumed');
  calleeAgain.send({ type: 'call_resume', call_id: callId });
  await calleeAgain.next('call_resumed');
  callerAgain.send({ type: 'ice_candidate', call_id: callId, candidate: candidate(7000) });
  expect(await calleeAgain.next('ice_candidate')).toMatchObject({ candidate: candidate(7000) });

  calleeAgain.send({ type: 'call_ended', call_id: callId });
  expect(await callerAgain.next('call_ended')).toMatchObject({ reason: 'hangup' });
  await expect
    .poll(async () => (await store.send(new GetCommand({ TableName: CALL_LOGS_TABLE.localName, Key: { call_id: callId } }))).Item?.status)
    .toBe('ended');
  expect(await callInvariantViolations(store)).toEqual([]);
}, 90_000);

it('ends a call whose party never comes back after a crash, once the grace runs out', async () => {
  await gateway?.stop();
  const port = await freePort();
  const args = ['--port', String(port), '--data-dir', dataDir, '--resume-grace', '1'];
  gateway = await startGatewayProcess(args);
  const caller = await connect('student', 11, 'John Doe');
  const callee = await connect('tutor', 12, 'Ada Tutor');
  caller.send({ type: 'call_invitation', call_type: 'voice', to_profile_id: 12, to_profile_type: 'tutor', offer: offer() });
  const { call_id: callId } = await callee.next('call_invitation');
  callee.send({ type: 'call_answer', call_id: callId, answer: answer() });
  await caller.next('call_answer');

  await gateway.kill();
  gateway = await startGatewayProcess(args);
  const store = storeOf(gateway.dynamodbEndpoint);

  // Only the caller returns; its first message to the callee finds the callee's socket gone.
  const callerAgain = await connect('student', 11, 'John Doe');
  callerAgain.send({ type: 'call_resume', call_id: callId });
  await callerAgain.next('call_resumed');
  callerAgain.send({ type: 'ice_candidate', call_id: callId, candidate: candidate(1) });
  expect(await callerAgain.next('peer_reconnecting')).toMatchObject({ from_profile_id: 12 });
  expect(await callerAgain.next('call_ended', undefined, 6_000)).toMatchObject({ reason: 'disconnected' });
  const { Item } = await store.send(new GetCommand({ TableName: CALL_LOGS_TABLE.localName, Key: { call_id: callId } }));
  expect(Item).toMatchObject({ status: 'ended', end_reason: 'disconnected' });
  expect(await callInvariantViolations(store)).toEqual([]);
}, 90_000);
