/**
 * Bad input, generated: over 10,000 broken frames through the real gateway. The process survives,
 * nothing is forwarded to anyone, every frame under the size limit is answered with an `error` of
 * the right code, and the socket stays usable.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../shared/env';
import { MAX_FRAME_BYTES } from '../../shared/limits';
import { CLIENT_MESSAGE_TYPES } from '../../shared/protocol';
import { answer, candidate, offer, startHarness, type Harness } from '../support/harness';
import { callInvariantViolations } from '../support/invariants';
import type { TestSocket } from '../support/test-socket';

// The flood is the point here: lift the rate limits (per socket and per profile) for this process only.
for (const name of [ENV.rateLimitOffers, ENV.rateLimitCandidates, ENV.rateLimitOther, ENV.profileRateLimitOffers, ENV.rateLimitLookups]) {
  process.env[name] = '1000000';
}

const FRAMES = 10_200;
const BATCH = 100;
const CALLEE_ID = 777;

let h: Harness;
let fuzzer: TestSocket;
let bystanders: TestSocket[];

beforeAll(async () => {
  h = await startHarness();
  fuzzer = await h.connect('student', 1);
  // The profile the broken messages address: it must never hear a thing.
  bystanders = [await h.connect('tutor', CALLEE_ID), await h.connect('tutor', CALLEE_ID)];
});
afterAll(async () => {
  await h?.close();
});

type Expected = 'invalid_json' | 'invalid_message' | 'unknown_type';
interface BadFrame {
  frame: string | Buffer;
  expected: Expected;
}

const CALL_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

/** One valid message per type, addressed at the bystander; each is broken below before it is sent. */
const TEMPLATES: Record<string, Record<string, unknown>> = {
  call_invitation: { type: 'call_invitation', call_type: 'video', to_profile_id: CALLEE_ID, to_profile_type: 'tutor', offer: offer() },
  call_answer: { type: 'call_answer', call_id: CALL_ID, answer: answer() },
  ice_candidate: { type: 'ice_candidate', call_id: CALL_ID, candidate: candidate(5000) },
  call_declined: { type: 'call_declined', call_id: CALL_ID, reason: 'rejected' },
  call_ended: { type: 'call_ended', call_id: CALL_ID, reason: 'hangup' },
  ping: { type: 'ping', ts: 1 },
  presence_query: { type: 'presence_query', profiles: [{ profile_id: CALLEE_ID, profile_type: 'tutor' }] },
  call_history: { type: 'call_history', limit: 5 },
  call_resume: { type: 'call_resume', call_id: CALL_ID },
  call_settings: { type: 'call_settings', who_can_call: 'nobody', block: [{ profile_id: CALLEE_ID, profile_type: 'tutor' }] },
};

/** Values of the wrong kind for each field, so the schema must refuse them whatever the draw. */
const wrongValue = (field: string, original: unknown): fc.Arbitrary<unknown> => {
  const deep = fc.integer({ min: 50, max: 2_000 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown);
  const huge = fc.integer({ min: 31_000, max: 31_500 }).map((size) => 'x'.repeat(size));
  if (field === 'type') return fc.constant(null);
  if (typeof original === 'string') {
    return fc.oneof(
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 3 }),
      deep,
      fc.constant({}),
      field === 'call_id' ? fc.string({ maxLength: 25 }) : fc.constant(true),
    );
  }
  if (typeof original === 'number') {
    return fc.oneof(fc.constant(null), fc.constant({}), fc.boolean(), deep, field === 'limit' ? fc.integer({ min: 101 }) : fc.constant([]));
  }
  // Objects and arrays: replace with a string, a number, or a huge / deep value.
  return fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.integer(),
    fc.constant(null),
    deep,
    huge.map((s) => ({ sdp: s, type: 1 })),
  );
};

/** The fields without which each template is invalid. */
const REQUIRED: Record<string, string[]> = {
  call_invitation: ['call_type', 'to_profile_id', 'to_profile_type', 'offer'],
  call_answer: ['answer'],
  ice_candidate: ['candidate'],
  presence_query: ['profiles'],
  call_resume: ['call_id'],
};

const mutatedMessage: fc.Arbitrary<BadFrame> = fc
  .constantFrom(...Object.keys(TEMPLATES))
  .chain((type) => {
    const template = TEMPLATES[type]!;
    const fields = Object.keys(template).filter((field) => field !== 'type');
    const required = REQUIRED[type] ?? [];
    const replaceField = fc
      .constantFrom(...fields)
      .chain((field) => wrongValue(field, template[field]).map((value) => ({ ...template, [field]: value })));
    const dropField = required.length
      ? fc.constantFrom(...required).map((field) => Object.fromEntries(Object.entries(template).filter(([key]) => key !== field)))
      : replaceField;
    return fc.oneof(replaceField, dropField);
  })
  // Spoofed sender fields ride along: they must change nothing.
  .map((message) => ({
    frame: JSON.stringify({ ...message, from_profile_id: CALLEE_ID, from_name: 'Mallory' }),
    expected: 'invalid_message' as const,
  }));

const unknownType: fc.Arbitrary<BadFrame> = fc
  .string({ minLength: 1, maxLength: 40 })
  .filter((type) => !(CLIENT_MESSAGE_TYPES as string[]).includes(type))
  .map((type) => ({ frame: JSON.stringify({ ...TEMPLATES.call_invitation, type }), expected: 'unknown_type' as const }));

const notAnObject: fc.Arbitrary<BadFrame> = fc
  .oneof(
    fc.jsonValue().filter((value) => typeof value !== 'object' || value === null || Array.isArray(value)),
    fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 }).filter((value) => typeof value.type !== 'string'),
  )
  .map((value) => ({ frame: JSON.stringify(value), expected: 'invalid_message' as const }))
  .filter((bad) => Buffer.byteLength(bad.frame as string) < MAX_FRAME_BYTES);

const isJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};
const notJson: fc.Arbitrary<BadFrame> = fc
  .oneof(fc.string({ maxLength: 200 }), fc.constantFrom('{', '{"type":"ping"', "{'type':'ping'}", 'NaN', '[1,]', ''))
  .filter((text) => !isJson(text))
  .map((text) => ({ frame: text, expected: 'invalid_json' as const }));

const binary: fc.Arbitrary<BadFrame> = fc
  .uint8Array({ minLength: 1, maxLength: 512 })
  .map((bytes) => ({ frame: Buffer.from(bytes), expected: 'invalid_json' as const }));

const badFrame = fc.oneof(
  { arbitrary: mutatedMessage, weight: 6 },
  { arbitrary: unknownType, weight: 1 },
  { arbitrary: notAnObject, weight: 1 },
  { arbitrary: notJson, weight: 1 },
  { arbitrary: binary, weight: 1 },
);

function tally(codes: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const code of codes) counts[code] = (counts[code] ?? 0) + 1;
  return counts;
}

describe('generated bad input through the real gateway', () => {
  it(`answers each of ${FRAMES} broken frames with the right error, forwards none, and keeps the socket usable`, async () => {
    const frames = fc.sample(badFrame, { numRuns: FRAMES, seed: 20261121 });
    for (let start = 0; start < frames.length; start += BATCH) {
      const batch = frames.slice(start, start + BATCH);
      for (const bad of batch) fuzzer.sendRaw(bad.frame);
      // Replies arrive in any order: compare the codes of the batch as a tally.
      const errors = await Promise.all(batch.map(() => fuzzer.next('error', undefined, 10_000)));
      expect(tally(errors.map((error) => error.code)), `frames ${start}-${start + batch.length}`).toEqual(
        tally(batch.map((bad) => bad.expected)),
      );
    }
    expect(fuzzer.received.filter((message) => message.type !== 'error')).toEqual([]);
    for (const bystander of bystanders) expect(bystander.received).toEqual([]);

    // Still usable: the same socket pings and places a real call to the profile it spammed.
    fuzzer.send({ type: 'ping', ts: 'after' });
    expect(await fuzzer.next('pong')).toMatchObject({ ts: 'after' });
    fuzzer.send(TEMPLATES.call_invitation!);
    expect(await bystanders[0]!.next('call_invitation')).toMatchObject({ from_profile_id: 1, from_name: 'student 1' });
    fuzzer.send({ type: 'call_ended' });
    await bystanders[0]!.next('call_ended');
    expect(await callInvariantViolations(h.db)).toEqual([]);
  }, 180_000);

  it('closes a socket that sends a frame over 32 KB with 1009, and the gateway serves the rest', async () => {
    const victims = await Promise.all([h.connect('student', 2), h.connect('student', 3)]);
    victims[0]!.sendRaw(JSON.stringify({ type: 'ping', ts: 'x'.repeat(MAX_FRAME_BYTES) }));
    expect((await victims[0]!.closed).code).toBe(1009);
    victims[1]!.send({ type: 'ping', ts: 'fine' });
    expect(await victims[1]!.next('pong')).toMatchObject({ ts: 'fine' });
  });
});
