/** The messages between the bench and a relay running in its own process (Node IPC, plain JSON). */
import type { DynamoSnapshot, MeterSnapshot } from '../meters/snapshots';

/**
 * `gateway` is the local gateway as `npm start` runs it; `gateway-metered` is the same with the
 * DynamoDB and management API meters in front of its store and @connections API (for counting
 * only: the meters add a hop to every request, so it is never timed).
 */
export type RelayKind = 'bare' | 'peerjs' | 'gateway' | 'gateway-metered';

export interface RelayReady {
  type: 'ready';
  port: number;
  /** The gateways' embedded store, for checking the call logs afterwards. */
  storeEndpoint: string | null;
}

export type RelayRequest =
  | { id: number; type: 'snapshot'; withDurations: boolean }
  | { id: number; type: 'sweep'; runs: number }
  | { id: number; type: 'stop' };

export interface SweepResult {
  durationsMs: number[];
  /** What the runs consumed in the store (metered gateway only). */
  dynamodb: DynamoSnapshot | null;
}

export type RelayReply =
  | { id: number; type: 'snapshot'; snapshot: MeterSnapshot }
  | { id: number; type: 'sweep'; result: SweepResult }
  | { id: number; type: 'stopped' }
  | { id: number; type: 'failed'; message: string };

export type RelayMessage = RelayReady | RelayReply;
