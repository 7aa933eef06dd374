/**
 * Delivers server messages to sockets; a socket reported gone is absent from the delivery. Whether
 * its record is then deleted is the container's to decide, from what its function may write (see
 * `lambdas/runtime/container.ts`): a function without write access to `connections` leaves it to the
 * socket's `$disconnect`, with the record's TTL behind that.
 */
import type { OutboundMessage, SocketPort } from './model';

export interface Delivery {
  reached: string[];
  gone: string[];
}

/** Deletes the record of a socket found gone. */
export type ForgetSocket = (connectionId: string) => Promise<void>;

export class Messenger {
  constructor(
    private readonly sockets: SocketPort,
    /** Absent in a container whose function may not write `connections`. */
    private readonly forget?: ForgetSocket,
  ) {}

  /** Delivers to each socket once; records of sockets found gone are forgotten when this container may. */
  async send(connectionIds: readonly string[], message: OutboundMessage): Promise<Delivery> {
    const delivery = await this.deliver(connectionIds, message);
    const forget = this.forget;
    if (forget) await Promise.all(delivery.gone.map((id) => forget(id)));
    return delivery;
  }

  /**
   * Answers the sender of a message. A sender found gone is never forgotten here: it closed right
   * after sending, and its `$disconnect` is on its way.
   */
  reply(connectionId: string, message: OutboundMessage): Promise<Delivery> {
    return this.deliver([connectionId], message);
  }

  /**
   * Tells a socket that is about to be closed why. Never forgotten here: closing it brings its
   * `$disconnect`, and a socket that only looks gone may still be opening (see `socket-cap.ts`).
   */
  warnBeforeClosing(connectionId: string, message: OutboundMessage): Promise<Delivery> {
    return this.deliver([connectionId], message);
  }

  /** Whether the socket is still open (the management API's GetConnection). */
  isConnected(connectionId: string): Promise<boolean> {
    return this.sockets.isConnected(connectionId);
  }

  private async deliver(connectionIds: readonly string[], message: OutboundMessage): Promise<Delivery> {
    const payload = JSON.stringify(message);
    const unique = [...new Set(connectionIds)];
    const results = await Promise.all(unique.map(async (id) => ({ id, result: await this.sockets.post(id, payload) })));
    const delivery: Delivery = { reached: [], gone: [] };
    for (const { id, result } of results) delivery[result === 'sent' ? 'reached' : 'gone'].push(id);
    return delivery;
  }
}
