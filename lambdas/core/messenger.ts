/** Delivers server messages to sockets; a socket reported gone is absent, and its record is deleted. */
import type { CallStore, OutboundMessage, SocketPort } from './model';

export interface Delivery {
  reached: string[];
  gone: string[];
}

export class Messenger {
  constructor(
    private readonly sockets: SocketPort,
    private readonly store: CallStore,
  ) {}

  async send(connectionIds: readonly string[], message: OutboundMessage): Promise<Delivery> {
    const payload = JSON.stringify(message);
    const unique = [...new Set(connectionIds)];
    const results = await Promise.all(unique.map(async (id) => ({ id, result: await this.sockets.post(id, payload) })));
    const delivery: Delivery = { reached: [], gone: [] };
    for (const { id, result } of results) delivery[result === 'sent' ? 'reached' : 'gone'].push(id);
    await Promise.all(delivery.gone.map((id) => this.store.deleteSocket(id)));
    return delivery;
  }
}
