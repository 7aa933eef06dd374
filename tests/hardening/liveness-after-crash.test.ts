/**
 * After a gateway crash no `$disconnect` is ever delivered for the sockets that died with it. Parties
 * that come back on new sockets without `call_resume` must not stay in their old call for ever (every
 * call to or from them declined `busy` or refused `already_in_call`): the sweeper's liveness check
 * finds the call's sockets gone and ends it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signToken } from '../../lambdas/auth/token';
import { ENV } from '../../shared/env';
import { CALL_LOGS_TABLE } from '../../shared/tables';
import { freePort, signingSecretOf, startGatewayProcess, type GatewayProcess } from '../support/gateway-process';
import { answer, offer } from '../support/harness';
import { callInvariantViolations } from '../support/invariants';
import { TestSocket } from '../support/test-socket';

const LIVENESS_SECONDS = 1;
const GRACE_SECONDS = 1;
let dataDir: string;
let gateway: GatewayProcess | undefined;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'liveness-'));
});
afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await gateway?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function connect(profileType: string, profileId: number, name: string): Promise<TestSocket> {
  const { token } = await signToken(await signingSecretOf(dataDir), { profile_type: profileType, profile_id: profileId, name });
  const socket = await TestSocket.open(gateway!.websocketUrl, token);
  sockets.push(socket);
  return socket;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('frees both parties of a call whose sockets died in a crash, though neither resumes', async () => {
  const port = await freePort();
  const args = ['--port', String(port), '--data-dir', dataDir, '--resume-grace', String(GRACE_SECONDS)];
  const env = { [ENV.livenessCheckSeconds]: String(LIVENESS_SECONDS) };
  gateway = await startGatewayProcess(args, env);

  const caller = await connect('student', 21, 'John Doe');
  const callee = await connect('tutor', 22, 'Ada Tutor');
  caller.send({ type: 'call_invitation', call_type: 'video', to_profile_id: 22, to_profile_type: 'tutor', offer: offer() });
  const { call_id: callId } = await callee.next('call_invitation');
  callee.send({ type: 'call_answer', call_id: callId, answer: answer() });
  await caller.next('call_answer');

  await gateway.kill();
  await Promise.all([caller.closed, callee.closed]);
  gateway = await startGatewayProcess(args, env);
  const store = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: gateway.dynamodbEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const statusOf = async () => (await store.send(new GetCommand({ TableName: CALL_LOGS_TABLE.localName, Key: { call_id: callId } }))).Item;

  // Both come back, but neither resumes (a reloaded page, say).
  const callerAgain = await connect('student', 21, 'John Doe');
  const calleeAgain = await connect('tutor', 22, 'Ada Tutor');

  await expect
    .poll(statusOf, { timeout: (LIVENESS_SECONDS + GRACE_SECONDS) * 1000 + 8_000, interval: 200 })
    .toMatchObject({ status: 'ended', end_reason: 'disconnected' });

  // Free again: the callee calls the caller, who answers.
  calleeAgain.send({ type: 'call_invitation', call_type: 'voice', to_profile_id: 21, to_profile_type: 'student', offer: offer() });
  const { call_id: nextCall } = await callerAgain.next('call_invitation');
  callerAgain.send({ type: 'call_answer', call_id: nextCall, answer: answer() });
  expect(await calleeAgain.next('call_answer')).toMatchObject({ call_id: nextCall });

  // And that call, with both sockets live, outlasts several liveness checks.
  await sleep((LIVENESS_SECONDS + GRACE_SECONDS) * 1000 * 2);
  expect(await callerAgain.quietFor(0, ['peer_reconnecting', 'call_ended'])).toEqual([]);
  callerAgain.send({ type: 'call_ended', call_id: nextCall });
  expect(await calleeAgain.next('call_ended')).toMatchObject({ reason: 'hangup' });
  await expect
    .poll(async () => (await store.send(new GetCommand({ TableName: CALL_LOGS_TABLE.localName, Key: { call_id: nextCall } }))).Item?.status)
    .toBe('ended');
  expect(await callInvariantViolations(store)).toEqual([]);
}, 90_000);
