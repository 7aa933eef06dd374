import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../shared/routes';
import { coldChance, coldStartModel, groupedLayout, perRouteLayout, renderColdStartModel, shareOfCallsReaching } from './cold-start-model';

const perCall = {
  authorizer: 2,
  connect: 2,
  'call-invitation': 1,
  'call-answer': 1,
  'ice-candidate': 4,
  'call-ended': 1,
  disconnect: 2,
  ping: 2,
};
const callFunctions = Object.keys(perCall);
const grouped = groupedLayout(FUNCTIONS.filter((fn) => callFunctions.includes(fn.id)));
const initMs = { ...Object.fromEntries(callFunctions.map((id) => [id, 40])), 'chat-routes': 60 };

describe('cold-start model', () => {
  it('gives every function a call reaches one cold start per call when calls are far apart', () => {
    const model = coldStartModel({ invocationsPerCall: perCall, initMs, layouts: [perRouteLayout(callFunctions)], callsPerHour: [0] });
    expect(model.rows[0]!.coldStartsPerCall).toBeCloseTo(callFunctions.length, 9);
    expect(model.rows[0]!.initMsPerCall).toBeCloseTo(40 * callFunctions.length, 9);
  });

  it('counts a container kept warm by earlier calls: fewer cold starts as traffic grows', () => {
    const model = coldStartModel({
      invocationsPerCall: perCall,
      initMs,
      layouts: [perRouteLayout(callFunctions)],
      callsPerHour: [1, 10, 100],
    });
    const [one, ten, hundred] = model.rows.map((row) => row.coldStartsPerCall);
    expect(one!).toBeGreaterThan(ten!);
    expect(ten!).toBeGreaterThan(hundred!);
    // 10 calls an hour with a 10-minute lifetime: each function is cold with chance e^(-10/6).
    expect(ten!).toBeCloseTo(callFunctions.length * Math.exp(-10 / 6), 9);
  });

  it('puts the chat routes in one function, leaving the authorizer on its own', () => {
    const ids = grouped.groups.map((group) => group.id).sort();
    expect(ids).toEqual(['authorizer', 'chat-routes']);
    const model = coldStartModel({
      invocationsPerCall: perCall,
      initMs,
      layouts: [perRouteLayout(callFunctions), grouped],
      callsPerHour: [3],
    });
    const [perRoute, fewer] = model.rows;
    expect(fewer!.coldStartsPerCall).toBeCloseTo(2 * Math.exp(-3 / 6), 9);
    expect(fewer!.initMsPerCall).toBeLessThan(perRoute!.initMsPerCall);
  });

  it('reaches a share of calls with a function invoked less than once per call', () => {
    expect(shareOfCallsReaching([0.5, 0.5])).toBeCloseTo(0.75, 9);
    expect(shareOfCallsReaching([2, 0])).toBe(1);
    expect(coldChance(0.5, 0, 10)).toBe(0.5);
  });

  it('refuses a layout whose group has no measured init', () => {
    expect(() => coldStartModel({ invocationsPerCall: perCall, initMs: {}, layouts: [grouped] })).toThrow(/No measured init/);
  });

  it('prints one row per traffic level with the idle lifetime and its source', () => {
    const text = renderColdStartModel(
      coldStartModel({
        invocationsPerCall: perCall,
        initMs,
        layouts: [perRouteLayout(callFunctions), grouped],
        sources: ['init: test figures'],
      }),
    );
    expect(text.split('\n').filter((line) => /^\| \d+ \|/.test(line))).toHaveLength(7);
    expect(text).toContain('Idle lifetime 10 min');
    expect(text).toContain('mikhail.io');
    expect(text).toContain('init: test figures.');
  });
});
