/**
 * Request/response over the signaling socket for the read-only queries. The protocol has no
 * request ids: answers of one type come back in the order asked (one socket, one handler each),
 * and an `error` names the `request_type` it refuses, so each type is a FIFO of waiters.
 */
import type { ServerMessage, ServerMessageOf } from '../../../shared/protocol';
import { CallError, CallErrorCode } from './errors';

export interface QueryResponses {
  presence_query: ServerMessageOf<'presence'>;
  call_history: ServerMessageOf<'call_history'>;
  ice_servers: ServerMessageOf<'ice_servers'>;
  /** Reading and changing the settings both send `call_settings` and are answered with it. */
  call_settings: ServerMessageOf<'call_settings'>;
}
export type QueryType = keyof QueryResponses;

const RESPONSE_TO_QUERY: Partial<Record<ServerMessage['type'], QueryType>> = {
  presence: 'presence_query',
  call_history: 'call_history',
  ice_servers: 'ice_servers',
  call_settings: 'call_settings',
};

const QUERY_TYPES: readonly string[] = ['presence_query', 'call_history', 'ice_servers', 'call_settings'] satisfies QueryType[];
const isQueryType = (type: string): type is QueryType => QUERY_TYPES.includes(type);

interface Waiter {
  resolve: (message: ServerMessage) => void;
  reject: (error: CallError) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class PendingQueries {
  private readonly waiters = new Map<QueryType, Waiter[]>();

  constructor(private readonly timeoutMs: number) {}

  /** Waits for the answer to a query that `send` puts on the wire. */
  ask<T extends QueryType>(type: T, send: () => void): Promise<QueryResponses[T]> {
    return new Promise<QueryResponses[T]>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: (message) => resolve(message as QueryResponses[T]),
        reject,
        timer: setTimeout(() => {
          this.remove(type, waiter);
          reject(new CallError(CallErrorCode.Timeout, `No answer to ${type}`));
        }, this.timeoutMs),
      };
      const list = this.waiters.get(type) ?? [];
      list.push(waiter);
      this.waiters.set(type, list);
      try {
        send();
      } catch (error) {
        this.remove(type, waiter);
        clearTimeout(waiter.timer);
        reject(error instanceof CallError ? error : new CallError(CallErrorCode.NotConnected, String(error)));
      }
    });
  }

  /** Settles the oldest waiter of the message's type; false when the message is no answer to a query. */
  settle(message: ServerMessage): boolean {
    if (message.type === 'error') {
      const type = message.request_type;
      if (type === undefined || !isQueryType(type)) return false;
      const waiter = this.shift(type);
      waiter?.reject(new CallError(CallErrorCode.Refused, message.message, message.code));
      return waiter !== undefined;
    }
    const type = RESPONSE_TO_QUERY[message.type];
    if (!type) return false;
    this.shift(type)?.resolve(message);
    return true;
  }

  rejectAll(error: CallError): void {
    for (const list of this.waiters.values()) {
      for (const waiter of list) {
        clearTimeout(waiter.timer);
        waiter.reject(error);
      }
    }
    this.waiters.clear();
  }

  private shift(type: QueryType): Waiter | undefined {
    const waiter = this.waiters.get(type)?.shift();
    if (waiter) clearTimeout(waiter.timer);
    return waiter;
  }

  private remove(type: QueryType, waiter: Waiter): void {
    const list = this.waiters.get(type);
    const at = list?.indexOf(waiter) ?? -1;
    if (list && at >= 0) list.splice(at, 1);
  }
}
