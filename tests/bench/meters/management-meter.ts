/**
 * Counts the messages API Gateway would bill on the way out: every PostToConnection the handlers
 * make through the @connections management API (`WEBSOCKET_MANAGEMENT_ENDPOINT` points here),
 * delivered or found gone, in 32 KB steps.
 */
import { billedMessages } from '../aws-prices';
import { startForwardingProxy } from './forwarding-proxy';
import type { ManagementSnapshot } from './snapshots';

export interface ManagementMeter {
  url: string;
  /** The origin of the gateway's management API, e.g. `http://127.0.0.1:41234`: paths (`/{stage}/@connections/…`) pass through. */
  attach(gatewayOrigin: string): void;
  snapshot(): ManagementSnapshot;
  close(): Promise<void>;
}

export async function startManagementMeter(): Promise<ManagementMeter> {
  const counts: Omit<ManagementSnapshot, 'inFlight'> = { posts: 0, delivered: 0, gone: 0, billedMessages: 0, bytes: 0, otherRequests: 0 };
  const proxy = await startForwardingProxy((exchange) => {
    if (exchange.method !== 'POST') {
      counts.otherRequests++;
      return;
    }
    counts.posts++;
    if (exchange.status === 200) {
      counts.delivered++;
      counts.bytes += exchange.requestBody.length;
      counts.billedMessages += billedMessages(exchange.requestBody.length);
    } else if (exchange.status === 410) {
      counts.gone++;
    }
  });
  return {
    url: proxy.url,
    attach: (gatewayOrigin) => proxy.setUpstream(gatewayOrigin),
    snapshot: () => ({ inFlight: proxy.inFlight(), ...counts }),
    close: () => proxy.close(),
  };
}
