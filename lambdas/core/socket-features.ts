/**
 * Which sockets understand candidate batches, from what each declared at connect. A socket's
 * features never change while it lives (its record is written once), so what a container has read
 * is kept: a call's peer is looked up once per container, not once per batch.
 */
import type { ConnectFeature } from '../../shared/connect-features';
import type { CallStore } from './model';

/** Enough for every socket one container forwards to in a while; past it the oldest are read again. */
const MAX_REMEMBERED_SOCKETS = 10_000;

export class SocketFeatures {
  private readonly remembered = new Map<string, readonly ConnectFeature[]>();

  constructor(private readonly store: Pick<CallStore, 'featuresOf'>) {}

  /**
   * The sockets among `connectionIds` that declared `candidate_batches`. A socket without a record
   * (gone, or its record not visible yet) counts as one that did not: the seed's shape reaches everyone.
   */
  async batchReaders(connectionIds: readonly string[]): Promise<ReadonlySet<string>> {
    const unknown = connectionIds.filter((id) => !this.remembered.has(id));
    if (unknown.length > 0) {
      const read = await this.store.featuresOf(unknown);
      for (const [id, features] of read) this.remember(id, features);
    }
    return new Set(connectionIds.filter((id) => this.remembered.get(id)?.includes('candidate_batches') === true));
  }

  private remember(connectionId: string, features: readonly ConnectFeature[]): void {
    if (this.remembered.size >= MAX_REMEMBERED_SOCKETS) {
      const oldest = this.remembered.keys().next();
      if (!oldest.done) this.remembered.delete(oldest.value);
    }
    this.remembered.set(connectionId, features);
  }
}
