/** What each party reads in its history of a call that rang out, from the real gateway's log (a short ring timeout: its own gateway). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness';
import { historyReader } from './history-reading';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ ringTimeoutSeconds: 1 });
});
afterAll(async () => {
  await h?.close();
});

describe('history words for a call nobody answered', () => {
  it('rang out: missed for the callee, no answer for the caller', async () => {
    const { person, invite, readsAs } = historyReader(h);
    const wes = await person('student', 'Wes Tan');
    const xia = await person('tutor', 'Xia Lin');
    invite(wes, xia);
    const { call_id: callId } = await xia.socket.next('call_invitation');
    await wes.socket.next('call_declined', (m) => m.reason === 'timeout', 10_000);
    expect(await readsAs(xia, callId)).toEqual({ outcome: 'missed', missed: true, summary: 'Missed voice call' });
    expect(await readsAs(wes, callId)).toMatchObject({ outcome: 'no_answer', missed: false, summary: 'No answer · voice call' });
  });
});
