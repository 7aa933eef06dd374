/** The SocketPort on API Gateway's @connections management API (locally, the gateway's own). */
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { DeliveryResult, SocketPort } from '../core/model';

/** A socket that is gone (closed without `$disconnect` reaching us yet, or long dead). */
const isGone = (error: unknown): boolean => error instanceof Error && error.name === 'GoneException';

export class ManagementApiSockets implements SocketPort {
  private readonly client: ApiGatewayManagementApiClient;
  private readonly encoder = new TextEncoder();

  constructor(endpoint: string) {
    this.client = new ApiGatewayManagementApiClient({ endpoint, cacheMiddleware: true });
  }

  async post(connectionId: string, payload: string): Promise<DeliveryResult> {
    try {
      await this.client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: this.encoder.encode(payload) }));
      return 'sent';
    } catch (error) {
      if (isGone(error)) return 'gone';
      throw error;
    }
  }

  async isConnected(connectionId: string): Promise<boolean> {
    try {
      await this.client.send(new GetConnectionCommand({ ConnectionId: connectionId }));
      return true;
    } catch (error) {
      if (isGone(error)) return false;
      throw error;
    }
  }

  async close(connectionId: string): Promise<void> {
    try {
      await this.client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  }
}
