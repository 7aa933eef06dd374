/**
 * What the two call-setup figures would be on AWS, modelled hop by hop from what was measured here
 * (the pages' own work, the handlers' durations, ICE/DTLS on loopback) plus AWS's overheads, each
 * with where its value comes from. Where no documented or published figure exists, it says so.
 *
 *   click Call -> caller's page work -> client->region -> API Gateway -> Lambda call-invitation
 *     (its store requests, its posts) -> API Gateway -> region->callee -> callee's page renders
 *   click Accept -> callee's page work (media, answer) -> the same hop for call-answer -> the
 *     caller applies the answer -> [a trickled candidate's hop, if the client trickles] ->
 *     ICE checks and DTLS between the peers (measured on loopback; on a real network 1-2 peer RTTs more)
 */
import { readFile } from 'node:fs/promises';
import type { ModeSetupLatency, PathHandler } from './setup-latency';

export interface SourcedFigure {
  ms: number;
  source: string;
  /** True when no documented or published figure was found and the value is a stated assumption. */
  assumption: boolean;
}

export const AWS_OVERHEADS = {
  clientRegionRtt: {
    ms: 40,
    source:
      'assumption: a broadband client within ~1,000 km of the region (no published client-to-region figure found; inter-region pings such as cloudping.co do not apply)',
    assumption: true,
  },
  apiGatewayOneWay: {
    ms: 15,
    source:
      'published measurement, forum.serverless.com/t/lambda-call-latency/3891: each AWS layer in front of a warm Lambda added ~30 ms to a browser round trip (REST API); half of it per direction. AWS documents no per-message figure for the WebSocket API',
    assumption: false,
  },
  lambdaWarmInvoke: {
    ms: 2,
    source: 'published, imarck.dev/blog/art_1_lambda_latency: a warm execution environment starts the handler in ~1-2 ms',
    assumption: false,
  },
  dynamodbRequest: {
    ms: 5,
    source:
      'documented, repost.aws/knowledge-center/dynamodb-high-latency: "for most atomic operations, such as GetItem and PutItem, an average latency is in single-digit milliseconds"; 5 ms is an assumption inside that range',
    assumption: true,
  },
  peerRtt: {
    ms: 40,
    source: 'assumption: two people near one region are about one client-to-region RTT apart',
    assumption: true,
  },
} as const satisfies Record<string, SourcedFigure>;

/** Per invocation of a route on the path: the store requests it makes and the posts it sends. */
export interface HopCounts {
  storeRequests: number;
  posts: number;
}

export interface PathCounts {
  invitation: HopCounts;
  answer: HopCounts;
  candidate: HopCounts;
  source: string;
}

export interface EstimateLine {
  step: string;
  ms: number;
  source: string;
}

export interface FigureEstimate {
  /** The local figure (p50) the estimate starts from, and the mode it was measured in. */
  localP50Ms: number;
  lines: EstimateLine[];
  totalMs: number;
}

export interface AwsSetupEstimate {
  basedOnMode: string;
  callToIncoming: FigureEstimate;
  acceptToConnected: FigureEstimate;
  overheads: typeof AWS_OVERHEADS;
  counts: PathCounts;
  notes: string[];
}

const LATEST_BENCH = new URL('../../tests/bench/results/latest.json', import.meta.url);

interface BenchPhase {
  phase: string;
  billedOut: number;
  invocations: number;
  storeRequests: number;
}

function isBenchPhase(value: unknown): value is BenchPhase {
  if (typeof value !== 'object' || value === null) return false;
  const phase = value as Record<string, unknown>;
  return (
    typeof phase.phase === 'string' &&
    typeof phase.billedOut === 'number' &&
    typeof phase.invocations === 'number' &&
    typeof phase.storeRequests === 'number'
  );
}

/** One store request and one post per hop: what a hop does at least, when nothing better is known. */
const FLOOR_COUNTS: HopCounts = { storeRequests: 1, posts: 1 };

/**
 * Store requests and posts per invocation on the path, as `npm run bench` measured them per call
 * (tests/bench/results/latest.json, its `perCall.phases`); the floor of one each when it is absent.
 */
export async function readPathCounts(file: URL = LATEST_BENCH): Promise<PathCounts> {
  try {
    const latest = JSON.parse(await readFile(file, 'utf8')) as { startedAt?: unknown; perCall?: { phases?: unknown } };
    const phases = Array.isArray(latest.perCall?.phases) ? latest.perCall.phases.filter(isBenchPhase) : [];
    const perInvocation = (name: string): HopCounts | undefined => {
      const phase = phases.find((candidate) => candidate.phase === name);
      if (!phase || phase.invocations === 0) return undefined;
      return { storeRequests: phase.storeRequests / phase.invocations, posts: phase.billedOut / phase.invocations };
    };
    const invitation = perInvocation('invite');
    const answer = perInvocation('answer');
    const candidate = perInvocation('candidates');
    if (invitation && answer && candidate) {
      return {
        invitation,
        answer,
        candidate,
        source: `measured by npm run bench (tests/bench/results/latest.json, run of ${String(latest.startedAt)})`,
      };
    }
  } catch {
    // No bench run yet: the floor below, said so.
  }
  return {
    invitation: FLOOR_COUNTS,
    answer: FLOOR_COUNTS,
    candidate: FLOOR_COUNTS,
    source: 'no npm run bench results found: one store request and one post per hop assumed',
  };
}

function handler(handlers: readonly PathHandler[], route: string): PathHandler | undefined {
  return handlers.find((candidate) => candidate.route === route);
}

/** One message through AWS: up to the region, API Gateway, Lambda and what the handler does, back down. */
function hopLines(name: string, measured: PathHandler | undefined, counts: HopCounts): EstimateLine[] {
  const o = AWS_OVERHEADS;
  return [
    { step: `${name}: client -> region (RTT/2)`, ms: o.clientRegionRtt.ms / 2, source: o.clientRegionRtt.source },
    { step: `${name}: API Gateway -> Lambda`, ms: o.apiGatewayOneWay.ms, source: o.apiGatewayOneWay.source },
    { step: `${name}: Lambda warm invoke`, ms: o.lambdaWarmInvoke.ms, source: o.lambdaWarmInvoke.source },
    {
      step: `${name}: handler as measured here (median)`,
      ms: measured?.medianMs ?? 0,
      source: measured ? "the gateway's routing lines (ms) in this run" : 'not seen in this run',
    },
    {
      step: `${name}: DynamoDB, ${counts.storeRequests.toFixed(1)} requests in series`,
      ms: counts.storeRequests * o.dynamodbRequest.ms,
      source: o.dynamodbRequest.source,
    },
    {
      step: `${name}: ${counts.posts.toFixed(1)} @connections posts in series`,
      ms: counts.posts * o.apiGatewayOneWay.ms,
      source: o.apiGatewayOneWay.source,
    },
    { step: `${name}: region -> client (RTT/2)`, ms: o.clientRegionRtt.ms / 2, source: o.clientRegionRtt.source },
  ];
}

function total(localP50Ms: number, lines: EstimateLine[]): FigureEstimate {
  const round = (ms: number) => Math.round(ms * 10) / 10;
  const rounded = lines.map((line) => ({ ...line, ms: round(line.ms) }));
  return { localP50Ms, lines: rounded, totalMs: round(rounded.reduce((sum, line) => sum + line.ms, 0)) };
}

/** The estimate from one mode's measurement (the as-deployed one when there is one: it runs the bundles). */
export function estimateOnAws(measured: ModeSetupLatency, counts: PathCounts): AwsSetupEstimate {
  const invitation = handler(measured.callPhaseHandlers, 'call_invitation');
  const answer = handler(measured.acceptPhaseHandlers, 'call_answer');
  const candidate = handler(measured.acceptPhaseHandlers, 'ice_candidate');
  const trickles = candidate !== undefined && candidate.perCall > 0;

  const callPageWork = Math.max(0, measured.callToIncoming.p50 - (invitation?.medianMs ?? 0));
  const callToIncoming = total(measured.callToIncoming.p50, [
    {
      step: 'both pages: media, offer, send; receive, render (local p50 less the handler)',
      ms: callPageWork,
      source: `measured here (${measured.mode}); includes the local gateway's own forwarding, so slightly high`,
    },
    ...hopLines('call_invitation', invitation, counts.invitation),
  ]);

  const acceptLocalServer = (answer?.medianMs ?? 0) + (trickles ? (candidate?.medianMs ?? 0) : 0);
  const acceptPageWork = Math.max(0, measured.acceptToConnected.p50 - acceptLocalServer);
  const o = AWS_OVERHEADS;
  const acceptToConnected = total(measured.acceptToConnected.p50, [
    {
      step: 'both pages: media, answer, apply it, ICE/DTLS on loopback (local p50 less the handlers)',
      ms: acceptPageWork,
      source: `measured here (${measured.mode}); ICE/DTLS alone p50 ${measured.iceDtls.p50} ms`,
    },
    ...hopLines('call_answer', answer, counts.answer),
    ...(trickles ? hopLines('ice_candidate (one trickled batch on the path)', candidate, counts.candidate) : []),
    {
      step: 'ICE check + DTLS handshake across a real network (2 peer RTTs; 1 when they overlap)',
      ms: 2 * o.peerRtt.ms,
      source: o.peerRtt.source,
    },
  ]);

  return {
    basedOnMode: measured.mode,
    callToIncoming,
    acceptToConnected,
    overheads: AWS_OVERHEADS,
    counts,
    notes: [
      'Warm functions throughout: a cold start adds the function init measured by npm run bench (coldStart) once per new container.',
      "Handler durations were measured here against the local store; DynamoDB's latency is added per request on top, so the handler share is slightly high.",
      `Store requests and posts per hop: ${counts.source}; counted as if in series (an upper bound: some run side by side).`,
      trickles
        ? 'The client trickled candidates after the answer: one candidate hop is counted on the path.'
        : 'No candidate crossed the server between Accept and connected: the candidates travelled inside the offer and answer.',
      'TURN (a relayed call) adds the relay leg to the ICE/DTLS round trips; not modelled.',
    ],
  };
}
