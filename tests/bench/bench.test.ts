/**
 * The bench works: its quick version runs every stage (all three relays, the per-call counts on
 * the timed and the metered gateway, cold start, web client, cost model, report) and what it
 * counts is right. Speeds are printed by `npm run bench`, never asserted here.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWS_PRICES } from './aws-prices';
import { runBenchmark } from './benchmark';
import { QUICK_RUN } from './config';
import { CALL_MINUTES, SOCKETS_PER_CALL } from './cost-model';
import { RELAY_LABELS } from './dialects/dialect';
import { BURSTS_IN_DESCRIPTION } from './dialects/gateway-dialect';
import { BEGIN_MARKER, END_MARKER, updateReadmeSection } from './readme-section';
import { PROJECT_ROOT } from './relays/relay-process';
import { fullReport, readmeSection } from './report';
import type { BenchResult } from './results';
import { HOP_KINDS } from './workload/call-script';

let result: BenchResult;
const workDir = join(PROJECT_ROOT, '.bench', `test-${process.pid}`);

beforeAll(async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  result = await runBenchmark({ config: QUICK_RUN, workDir, log: () => undefined });
}, 240_000);

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('the quick bench', () => {
  it('runs every call of every level on every relay, with nothing lost', () => {
    expect(result.relays).toHaveLength(3 * QUICK_RUN.levels.length);
    for (const level of result.relays) {
      const calls =
        level.concurrency *
        QUICK_RUN.levels.find((spec) => spec.concurrency === level.concurrency)!.callsPerSlot *
        QUICK_RUN.measuredRounds;
      expect({ relay: level.relay, calls: level.calls, completed: level.completed, lost: level.lost, errors: level.errors }).toEqual({
        relay: level.relay,
        calls,
        completed: calls,
        lost: 0,
        errors: [],
      });
      // Bare and PeerJS clients send each candidate alone; this project's client one batch per burst
      // it did not carry in its offer or answer (half-trickle).
      const candidateMessages =
        level.relay === 'gateway'
          ? 2 * (result.workload.candidateBurstsPerSide - BURSTS_IN_DESCRIPTION)
          : 2 * result.workload.candidatesPerSide;
      expect(level.hops.invite.count).toBe(calls);
      expect(level.hops.answer.count).toBe(calls);
      expect(level.hops.candidate.count).toBe(calls * candidateMessages);
      expect(level.hops.end.count).toBe(calls);
    }
    expect(result.ratios.map((ratio) => ratio.kind)).toEqual(QUICK_RUN.levels.flatMap(() => [...HOP_KINDS]));
  });

  it('delivers every paced and every burst candidate on every relay, one message each', () => {
    const relays = Object.keys(RELAY_LABELS).sort();
    expect(result.paced.map((run) => run.relay).sort()).toEqual(relays);
    for (const run of result.paced)
      expect({ relay: run.relay, count: run.hops.count, lost: run.lost }).toEqual({
        relay: run.relay,
        count: QUICK_RUN.paced.candidates,
        lost: 0,
      });
    expect(result.burst.map((level) => level.relay).sort()).toEqual(relays);
    const messages = QUICK_RUN.burst.calls * 2 * QUICK_RUN.burst.candidatesPerSide * QUICK_RUN.burst.rounds;
    for (const level of result.burst) {
      expect({ relay: level.relay, messages: level.messages, delivered: level.delivered, lost: level.lost }).toEqual({
        relay: level.relay,
        messages,
        delivered: messages,
        lost: 0,
      });
      expect(level.hops.count).toBe(messages);
      expect(level.forwardedPerSecond).toBeGreaterThan(0);
    }
  });

  it('counts one invocation per frame sent, plus the authorizer, $connect and $disconnect of each socket', () => {
    const { perCall } = result;
    expect(perCall.completed).toBe(QUICK_RUN.countedCalls);
    const framesIn = perCall.billedMessages.signalingIn + perCall.billedMessages.keepAliveIn;
    expect(perCall.invocationsTotal).toBe(framesIn + 3 * SOCKETS_PER_CALL);
    expect(perCall.invocations).toMatchObject({
      authorizer: SOCKETS_PER_CALL,
      connect: SOCKETS_PER_CALL,
      disconnect: SOCKETS_PER_CALL,
      ping: SOCKETS_PER_CALL,
    });
    expect(perCall.invocationsAgreeAcrossGateways).toBe(true);
    for (const id of Object.keys(perCall.invocations)) expect(perCall.durationMedianMs[id], id).toBeGreaterThan(0);
  });

  it('counts every message out that the clients received, and only those', () => {
    expect(result.perCall.postsMatchFramesReceived).toBe(true);
    // Every forwarded message reached its one recipient, and the keep-alive pings were answered.
    expect(result.perCall.billedMessages.signalingOut).toBeGreaterThanOrEqual(3 + result.perCall.candidateBatches);
    expect(result.perCall.billedMessages.keepAliveOut).toBe(SOCKETS_PER_CALL);
  });

  it('prices every store request: a write at least one unit, a read at least half', () => {
    const { perCall } = result;
    expect(perCall.storeRequests).toBeGreaterThan(0);
    for (const tally of perCall.operations) {
      const isWrite = ['PutItem', 'UpdateItem', 'DeleteItem'].includes(tally.operation);
      if (isWrite) expect(tally.writeUnits, tally.operation).toBeGreaterThanOrEqual(tally.requests);
      else expect(tally.readUnits, tally.operation).toBeGreaterThanOrEqual(tally.requests / 2);
    }
    expect(perCall.writeUnits).toBe(perCall.tableWriteUnits + perCall.indexWriteUnits);
  });

  it('finds every completed call logged in a final status', () => {
    expect(result.callLogs.callsPlaced).toBeGreaterThan(0);
    expect(result.callLogs.ended).toBe(result.callLogs.callsPlaced);
  });

  it('adds the cost up from the counts and the documented prices', () => {
    const { cost, perCall } = result;
    expect(cost.usdPer1000Calls).toBeCloseTo(
      cost.lines.reduce((sum, line) => sum + line.usdPer1000Calls, 0),
      12,
    );
    const line = (item: string) => cost.lines.find((entry) => entry.item.startsWith(item))!;
    expect(line('API Gateway messages').usdPer1000Calls).toBeCloseTo(
      (perCall.billedMessages.total * 1000 * AWS_PRICES.apiGateway.perMillionMessages) / 1e6,
      12,
    );
    expect(line('API Gateway connection-minutes').perCall).toBe(SOCKETS_PER_CALL * CALL_MINUTES);
    expect(line('Lambda requests').perCall).toBe(perCall.invocationsTotal);
    expect(cost.usdPer1000CallsWithAwsLatency).toBeGreaterThan(cost.usdPer1000Calls);
    expect(cost.sweeper.runsPerMonth).toBe((30 * 24 * 60) / result.lambdaSettings.sweepIntervalMinutes);
    expect(result.lambdaSettings.byFunction['call-invitation']?.architecture).toBe('arm64');
  });

  it('bundles and loads the handlers, and sizes the web client', () => {
    expect(result.coldStart.map((fn) => fn.functionId)).toEqual(QUICK_RUN.coldStart.functions);
    for (const fn of result.coldStart) {
      expect(fn.bundleBytes).toBeGreaterThan(1_000);
      expect(fn.initMs).toHaveLength(QUICK_RUN.coldStart.runs);
      expect(fn.initCpuMs).toHaveLength(QUICK_RUN.coldStart.runs);
      expect(Array.isArray(fn.sdkPackagesAtLoad)).toBe(true);
    }
    expect(result.webClient.source).toBe('built');
    expect(result.webClient.jsGzipBytes).toBeGreaterThan(0);
    expect(result.webClient.jsGzipBytes).toBeLessThan(result.webClient.jsBytes);
    // What the page does not load before it runs is sized too, not left out.
    expect(result.webClient.onDemand.map((part) => part.name)).toEqual(
      expect.arrayContaining(['call-screen', 'settings-panel', 'session-page']),
    );
    for (const part of result.webClient.onDemand) expect(part.jsGzipBytes).toBeGreaterThan(0);
  });

  it('reports every table and judges every target', () => {
    const report = fullReport(result);
    for (const heading of [
      '## Hop latency',
      '## Throughput and memory',
      '## Per complete call',
      '## AWS cost per 1,000 five-minute calls',
      '## Cold start',
      '## Web client',
      '## Targets',
    ]) {
      expect(report).toContain(heading);
    }
    for (const label of Object.values(RELAY_LABELS)) expect(report).toContain(label);
    expect(result.targets).toHaveLength(11);
    for (const target of result.targets) expect(report).toContain(target.target);
    expect(readmeSection(result)).toContain('npm run bench');
  });
});

describe('the README section', () => {
  it('is replaced between its markers and nowhere else; a README without markers is left alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-readme-'));
    try {
      const path = join(dir, 'README.md');
      await writeFile(path, `# Title\n\n## Performance\n\n${BEGIN_MARKER}\nold\n${END_MARKER}\n\n## After\n`);
      expect(await updateReadmeSection(path, 'new table')).toBe(true);
      expect(await readFile(path, 'utf8')).toBe(`# Title\n\n## Performance\n\n${BEGIN_MARKER}\nnew table\n${END_MARKER}\n\n## After\n`);
      await writeFile(path, '# No markers\n');
      expect(await updateReadmeSection(path, 'new table')).toBe(false);
      expect(await readFile(path, 'utf8')).toBe('# No markers\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
