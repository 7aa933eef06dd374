/**
 * PROTOCOL.md "Transport" (`features`) and `ice_candidate`: a socket that declared
 * `candidate_batches` at connect gets a batch as sent; any other socket (a client written for the
 * seed's formats) gets one `ice_candidate` per candidate in the seed's shape. Real gateway, real sockets.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURES_QUERY_PARAMETER } from '../../shared/connect-features';
import { CONNECTIONS_TABLE } from '../../shared/tables';
import { answer, candidate, offer, startHarness, type Harness } from '../support/harness';
import type { TestSocket } from '../support/test-socket';
import { upgradeStatus } from '../gateway/helpers';

const [BY_PROFILE] = CONNECTIONS_TABLE.indexes;
let h: Harness;
let nextId = 7000;
const ids = () => [nextId++, nextId++] as const;
const BATCHES = 'candidate_batches';

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const END_OF_CANDIDATES = { candidate: '', sdpMid: '0', sdpMLineIndex: 0 };
const burst = [candidate(7100), candidate(7101), END_OF_CANDIDATES];

async function ring(caller: TestSocket, callees: TestSocket[], tutorId: number): Promise<string> {
  caller.send({ type: 'call_invitation', call_type: 'video', to_profile_id: tutorId, to_profile_type: 'tutor', offer: offer() });
  const [invitation] = await Promise.all(callees.map((socket) => socket.next('call_invitation')));
  await caller.next('call_ringing');
  return invitation!.call_id;
}

describe('candidates reach each socket in the shape it understands', () => {
  it('a seed-format caller hears a batch as one seed ice_candidate per candidate, the end marker last', async () => {
    const [studentId, tutorId] = ids();
    const caller = await h.connect('student', studentId);
    const callee = await h.connect('tutor', tutorId, undefined, BATCHES);
    const callId = await ring(caller, [callee], tutorId);
    callee.send({ type: 'call_answer', call_id: callId, answer: answer() });
    await caller.next('call_answer');

    callee.send({ type: 'ice_candidate', call_id: callId, candidates: burst });
    const received = [];
    for (let i = 0; i < burst.length; i++) received.push(await caller.next('ice_candidate'));
    expect(received.map((message) => message.candidate)).toEqual(burst);
    for (const message of received) {
      expect(message).toMatchObject({ call_id: callId, from_profile_id: tutorId, from_profile_type: 'tutor' });
      expect(message).not.toHaveProperty('candidates');
    }
    expect(await caller.quietFor(150, ['ice_candidate'])).toEqual([]);
  });

  it('a socket that declared candidate_batches hears the batch as sent, in one message', async () => {
    const [studentId, tutorId] = ids();
    const caller = await h.connect('student', studentId, undefined, BATCHES);
    const callee = await h.connect('tutor', tutorId);
    const callId = await ring(caller, [callee], tutorId);
    callee.send({ type: 'call_answer', call_id: callId, answer: answer() });
    await caller.next('call_answer');

    callee.send({ type: 'ice_candidate', call_id: callId, candidates: burst });
    expect(await caller.next('ice_candidate')).toMatchObject({ call_id: callId, candidates: burst });
    expect(await caller.quietFor(150, ['ice_candidate'])).toEqual([]);
  });

  it('while ringing, each device of the callee gets the shape it declared', async () => {
    const [studentId, tutorId] = ids();
    const caller = await h.connect('student', studentId, undefined, BATCHES);
    // Unknown names in the list are ignored: later features, or a typo, change nothing.
    const modernTab = await h.connect('tutor', tutorId, undefined, `screen_share,${BATCHES}`);
    const seedTab = await h.connect('tutor', tutorId, undefined, 'something_else');
    const callId = await ring(caller, [modernTab, seedTab], tutorId);

    caller.send({ type: 'ice_candidate', call_id: callId, candidates: burst });
    expect(await modernTab.next('ice_candidate')).toMatchObject({ candidates: burst });
    const seedReceived = [];
    for (let i = 0; i < burst.length; i++) seedReceived.push((await seedTab.next('ice_candidate')).candidate);
    expect(seedReceived).toEqual(burst);
  });

  it('a single candidate goes as sent to both kinds of socket', async () => {
    const [studentId, tutorId] = ids();
    const caller = await h.connect('student', studentId);
    const modernTab = await h.connect('tutor', tutorId, undefined, BATCHES);
    const seedTab = await h.connect('tutor', tutorId);
    const callId = await ring(caller, [modernTab, seedTab], tutorId);

    caller.send({ type: 'ice_candidate', call_id: callId, candidate: candidate(7200) });
    for (const tab of [modernTab, seedTab]) {
      const message = await tab.next('ice_candidate');
      expect(message.candidate).toEqual(candidate(7200));
      expect(message).not.toHaveProperty('candidates');
    }
  });
});

describe('the features connect parameter', () => {
  it('is kept on the socket record, and sign-in by token works with it as without', async () => {
    const [studentId] = ids();
    await h.connect('student', studentId, undefined, BATCHES);
    await h.connect('student', studentId);
    const { Items = [] } = await h.db.send(
      new QueryCommand({
        TableName: CONNECTIONS_TABLE.localName,
        IndexName: BY_PROFILE.indexName,
        KeyConditionExpression: '#key = :key',
        ExpressionAttributeNames: { '#key': BY_PROFILE.partitionKey.name },
        ExpressionAttributeValues: { ':key': `student_${studentId}` },
      }),
    );
    const records = await Promise.all(Items.map((item) => h.socketItem(String(item.connection_id))));
    expect(records.map((record) => record?.features ?? 'none').sort()).toEqual([[BATCHES], 'none']);
  });

  it('without a token is still refused at connect', async () => {
    expect(await upgradeStatus(`${h.gateway.websocketUrl}?${FEATURES_QUERY_PARAMETER}=${BATCHES}`)).toBe(401);
  });
});
