/**
 * The call core as Lambda containers run it, over the real embedded store: each `container()` is a
 * call service with its own memory, as each Lambda container has. The sockets are a recording
 * stand-in for the management API (the one part that cannot run without a gateway): a socket is
 * open until closed, and closing one tells nobody (as a lost `$disconnect`).
 */
import { monotonicFactory } from 'ulid';
import { DynamoCallStore } from '../../lambdas/adapters/dynamo-store';
import { DynamoProfileSettings } from '../../lambdas/adapters/profile-settings-store';
import { CallService } from '../../lambdas/core/calls';
import { Messenger } from '../../lambdas/core/messenger';
import { RepeatedRings } from '../../lambdas/core/repeated-rings';
import type { CallSettings, CallStore, DeliveryResult, Sender, SocketPort } from '../../lambdas/core/model';
import { ensureTables, startStore, type LocalStore } from '../../infra/local/store';
import { createLog } from '../../infra/local/log';
import type { ServerMessage } from '../../shared/protocol';
import { DEFAULT_PAIR_RING_LIMIT, DEFAULT_PAIR_RING_WINDOW_SECONDS } from '../../shared/limits';
import { CLIENT_FEATURES } from '../../shared/connect-features';
import { profileKey } from '../../shared/profile';
import { PROFILE_SETTINGS_TABLE, TABLES } from '../../shared/tables';

/** Sockets that are open until closed; what each received, in order. */
export class RecordingSockets implements SocketPort {
  readonly open = new Set<string>();
  readonly received = new Map<string, ServerMessage[]>();
  /** GetConnection requests per socket, for counting what liveness checks ask. */
  readonly checks = new Map<string, number>();

  async post(connectionId: string, payload: string): Promise<DeliveryResult> {
    if (!this.open.has(connectionId)) return 'gone';
    this.received.set(connectionId, [...(this.received.get(connectionId) ?? []), JSON.parse(payload) as ServerMessage]);
    return 'sent';
  }

  async isConnected(connectionId: string): Promise<boolean> {
    this.checks.set(connectionId, (this.checks.get(connectionId) ?? 0) + 1);
    return this.open.has(connectionId);
  }

  /** Closed as DeleteConnection would; like every close here, it tells nobody. */
  async close(connectionId: string): Promise<void> {
    this.open.delete(connectionId);
  }

  typesAt(connectionId: string): string[] {
    return (this.received.get(connectionId) ?? []).map((message) => message.type);
  }
}

export const SETTINGS: CallSettings = {
  ringTimeoutSeconds: 45,
  resumeGraceSeconds: 60,
  livenessCheckSeconds: 30,
  profileTypes: ['student', 'tutor'],
};

/** A clock the test moves by hand, so timers run in no time. */
export class ManualClock {
  constructor(private nowMs = Date.now()) {}
  now(): Date {
    return new Date(this.nowMs);
  }
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

export interface World {
  db: DynamoCallStore;
  /** Where the embedded store listens, for clients of a test's own. */
  endpoint: string;
  sockets: RecordingSockets;
  clock: ManualClock;
  /** A container of a function that may write `connections` (every call-state route). */
  container(settings?: Partial<CallSettings>, store?: CallStore): CallService;
  /** Opens a socket of a profile: a live socket and its record, as `$connect` writes it. */
  connect(connectionId: string, profileType: string, profileId: number): Promise<Sender>;
  /** The caller rings the callee, in a container of its own; the call id. */
  ringingCall(caller: Sender, callee: Sender): Promise<string>;
  /** The caller rings the callee and the callee answers, in a container of its own; the call id. */
  answeredCall(caller: Sender, callee: Sender): Promise<string>;
}

let store: LocalStore | undefined;

export async function startWorld(): Promise<World> {
  store ??= await startStore(undefined);
  await ensureTables(store.client, TABLES, createLog('error'));
  const db = new DynamoCallStore({ connections: 'connections', callLogs: 'call_logs' }, store.client);
  const profileSettings = new DynamoProfileSettings(PROFILE_SETTINGS_TABLE.localName, store.client);
  const sockets = new RecordingSockets();
  const clock = new ManualClock();
  const newCallId = monotonicFactory();
  const container = (settings: Partial<CallSettings> = {}, store: CallStore = db) =>
    new CallService({
      store,
      profileSettings,
      messenger: new Messenger(sockets, (id) => db.deleteSocket(id)),
      settings: { ...SETTINGS, ...settings },
      clock,
      newCallId: () => newCallId(),
      rings: new RepeatedRings(db, { limit: DEFAULT_PAIR_RING_LIMIT, windowSeconds: DEFAULT_PAIR_RING_WINDOW_SECONDS }, clock),
    });
  const world: World = {
    db,
    endpoint: store.endpoint,
    sockets,
    clock,
    container,
    async connect(connectionId, profileType, profileId) {
      const sender: Sender = {
        connectionId,
        identity: { profileId, profileType, name: `${profileType} ${profileId}`, avatar: null, userId: null },
        key: profileKey(profileType, profileId),
      };
      sockets.open.add(connectionId);
      // The socket record's TTL is real time: far enough ahead for any clock the test moves.
      await db.putSocket(
        // Sockets of this project's client, which reads candidate batches.
        { connectionId, profileKey: sender.key, connectedAt: clock.now().toISOString(), features: CLIENT_FEATURES },
        Math.floor(Date.now() / 1000) + 86_400,
      );
      return sender;
    },
    ringingCall: (caller, callee) => ring(container(), caller, callee),
    async answeredCall(caller, callee) {
      const service = container();
      const callId = await ring(service, caller, callee);
      await service.answer(callee, { type: 'call_answer', call_id: callId, answer: { type: 'answer', sdp: 'v=0' } });
      return callId;
    },
  };
  return world;
}

async function ring(service: CallService, caller: Sender, callee: Sender): Promise<string> {
  const [ringing] = await service.invite(
    caller,
    {
      type: 'call_invitation',
      call_type: 'voice',
      to_profile_id: callee.identity.profileId,
      to_profile_type: callee.identity.profileType,
      offer: { type: 'offer', sdp: 'v=0' },
      conversation_id: null,
    },
    { vouched: false },
  );
  if (ringing?.outcome !== 'ringing' || !ringing.call_id) throw new Error(`the call did not ring: ${JSON.stringify(ringing)}`);
  return ringing.call_id;
}

export async function stopWorld(): Promise<void> {
  await store?.close();
  store = undefined;
}

export const candidateMessage = (callId: string, port = 9) => ({
  type: 'ice_candidate' as const,
  call_id: callId,
  candidate: { candidate: `candidate:1 1 udp 1 127.0.0.1 ${port} typ host` },
});
