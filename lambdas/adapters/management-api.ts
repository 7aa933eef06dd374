/** The SocketPort on API Gateway's @connections management API (locally, the gateway's own). */
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import type { DeliveryResult, SocketPort } from '../core/model';

export class ManagementApiSockets implements SocketPort {
  private readonly client: ApiGatewayManagementApiClient;
  private readonly encoder = new TextEncoder();

  constructor(endpoint: string) {
    this.client = new ApiGatewayManagementApiClient({ endpoint });
  }

  async post(connectionId: string, payload: string): Promise<DeliveryResult> {
    try {
      await this.client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: this.encoder.encode(payload) }));
      return 'sent';
    } catch (error) {
      // A socket that is gone (closed without $disconnect reaching us yet, or long dead) is absent.
      if (error instanceof Error && error.name === 'GoneException') return 'gone';
      throw error;
    }
  }
}
