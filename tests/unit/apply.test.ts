/**
 * How a step's announcement goes out: at once to different sockets, in order to the same socket;
 * the routing line counts only the sends it counts; a party found gone is reported. Steps with
 * nothing to write, so no store is involved (a store that is touched fails the test).
 */
import { describe, expect, it } from 'vitest';
import { Applier } from '../../lambdas/core/apply';
import { Messenger } from '../../lambdas/core/messenger';
import type { CallStore, DeliveryResult, SocketPort } from '../../lambdas/core/model';
import type { ServerMessage } from '../../shared/protocol';
import { settled } from '../../lambdas/core/transitions/transition';
import { answeredCall, CALL_ID, caller, NOW } from './fixtures';

/** Sockets whose posts complete only when the test says, so the order of sends is seen, not timed. */
class HeldSockets implements SocketPort {
  readonly started: string[] = [];
  readonly gone = new Set<string>();
  private readonly held: (() => void)[] = [];

  post(connectionId: string, payload: string): Promise<DeliveryResult> {
    this.started.push(`${connectionId}:${(JSON.parse(payload) as ServerMessage).type}`);
    return new Promise((resolve) => this.held.push(() => resolve(this.gone.has(connectionId) ? 'gone' : 'sent')));
  }

  async isConnected(): Promise<boolean> {
    return true;
  }

  async close(connectionId: string): Promise<void> {
    this.gone.add(connectionId);
  }

  /** Completes every post started so far. */
  releaseAll(): void {
    for (const release of this.held.splice(0)) release();
  }
}

const untouchable = new Proxy({} as CallStore, {
  get: (_, property) => () => {
    throw new Error(`a step with nothing to write used the store (${String(property)})`);
  },
});

const pong = (): ServerMessage => ({ type: 'pong', sent_at: NOW.toISOString() });
const resumed = (): ServerMessage => ({
  type: 'call_resumed',
  call_id: CALL_ID,
  conversation_id: null,
  from_profile_id: 1,
  from_profile_type: 'student',
  from_name: null,
  from_avatar: null,
  sent_at: NOW.toISOString(),
});

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('an announcement', () => {
  it('goes out at once to different sockets, and to a socket already sent to only after the earlier message', async () => {
    const sockets = new HeldSockets();
    const applier = new Applier(untouchable, new Messenger(sockets));
    const applied = applier.settle(
      settled(answeredCall(), {
        sends: [
          { to: ['a', 'b'], message: resumed() },
          { to: ['c'], message: pong() },
          { to: ['a'], message: pong() },
        ],
      }),
    );
    await flush();
    expect(sockets.started).toEqual(['a:call_resumed', 'b:call_resumed', 'c:pong']);
    sockets.releaseAll();
    await flush();
    expect(sockets.started.at(-1)).toBe('a:pong');
    sockets.releaseAll();
    await applied;
  });

  it('is counted on the routing line only for the sends it counts', async () => {
    const sockets = new HeldSockets();
    sockets.gone.add('b');
    const applier = new Applier(untouchable, new Messenger(sockets));
    const applied = applier.settle(
      settled(answeredCall(), {
        sends: [
          { to: ['a', 'b'], message: pong(), counted: true },
          { to: ['c', 'd'], message: pong() },
        ],
        line: { outcome: 'forwarded', reason: null },
      }),
    );
    await flush();
    sockets.releaseAll();
    expect((await applied).decisions).toEqual([
      {
        call_id: CALL_ID,
        from: caller.key,
        to: answeredCall().callee_key,
        outcome: 'forwarded',
        reason: null,
        sockets_reached: 1,
        gone_sockets: 1,
      },
    ]);
  });

  it('reports a party of the call that a message found gone, on the socket it went to', async () => {
    const sockets = new HeldSockets();
    sockets.gone.add('caller-socket');
    const applier = new Applier(untouchable, new Messenger(sockets));
    const applied = applier.settle(
      settled(answeredCall(), {
        sends: [
          { to: ['caller-socket'], message: pong(), party: 'caller' },
          { to: ['elsewhere'], message: pong() },
        ],
      }),
    );
    await flush();
    sockets.releaseAll();
    const { lost, decisions } = await applied;
    expect(lost).toEqual([{ party: 'caller', connectionId: 'caller-socket' }]);
    expect(decisions).toEqual([]);
  });
});
