/** The invariant checker catches what it promises to catch (so a clean run of it means something). */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CallRecord } from '../../lambdas/core/model';
import { profileKey } from '../../shared/profile';
import { CALL_LOGS_TABLE } from '../../shared/tables';
import { startHarness, type Harness } from '../support/harness';
import { callInvariantViolations } from '../support/invariants';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

// One instant for the whole file: a clock read per field could tick between created_at and started_at.
const plantedAt = Date.now();
const minutesAgo = (minutes: number) => new Date(plantedAt - minutes * 60_000).toISOString();

function call(callId: string, changes: Partial<CallRecord>): CallRecord {
  return {
    call_id: callId,
    conversation_id: null,
    caller_profile_id: '1',
    caller_profile_type: 'student',
    caller_user_id: null,
    callee_profile_id: '2',
    callee_profile_type: 'tutor',
    call_type: 'voice',
    status: 'initiated',
    end_reason: null,
    started_at: minutesAgo(10),
    answered_at: null,
    ended_at: null,
    duration_seconds: null,
    participants: [],
    created_at: minutesAgo(10),
    caller_key: profileKey('student', 1),
    callee_key: profileKey('tutor', 2),
    caller_id_kind: 'number',
    callee_id_kind: 'number',
    caller_name: null,
    caller_avatar: null,
    callee_name: null,
    callee_avatar: null,
    caller_connection_id: 'nobody=',
    callee_connection_ids: ['nobody-either='],
    expires_at: minutesAgo(9),
    ...changes,
  };
}

it('reports ringing past expiry, an answered call nobody is in, and a duration that disagrees with its times', async () => {
  const planted = [
    call('01AAAAAAAAAAAAAAAAAAAAAAAA', {}),
    call('01BBBBBBBBBBBBBBBBBBBBBBBB', { status: 'answered', answered_at: minutesAgo(9) }),
    call('01CCCCCCCCCCCCCCCCCCCCCCCC', {
      status: 'ended',
      end_reason: 'hangup',
      answered_at: minutesAgo(9),
      ended_at: minutesAgo(5),
      duration_seconds: 7,
    }),
  ];
  for (const item of planted) await h.db.send(new PutCommand({ TableName: CALL_LOGS_TABLE.localName, Item: item }));

  const violations = await callInvariantViolations(h.db);
  // Named in the failure, so an unexpected one says what it was.
  expect(violations, violations.join('\n')).toHaveLength(4);
  expect(violations).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/01AAA.*still ringing past its expiry/),
      expect.stringMatching(/01BBB.*caller has neither a live socket nor a pending resume/),
      expect.stringMatching(/01BBB.*callee has neither a live socket nor a pending resume/),
      expect.stringMatching(/01CCC.*duration 7 does not match/),
    ]),
  );
});
