/**
 * Kinesis Video Streams' managed TURN: the channel's HTTPS endpoint (`GetSignalingChannelEndpoint`),
 * then `GetIceServerConfig` there. The SDK clients are loaded on first use only (a lazy `import()`),
 * so a function without channels configured never loads them; the Lambda runtime provides them.
 */
import type { KinesisVideoSignalingClient } from '@aws-sdk/client-kinesis-video-signaling';
import type { KvsIceServer } from '../core/ice-servers';

export class KvsTurn {
  /** Per channel: its endpoint does not change, so it is asked once per container. */
  private readonly signalingClients = new Map<string, Promise<KinesisVideoSignalingClient>>();

  /** The channel's TURN servers with temporary credentials. */
  async iceServerList(channelArn: string): Promise<KvsIceServer[]> {
    const client = await this.signalingClient(channelArn);
    const { GetIceServerConfigCommand } = await import('@aws-sdk/client-kinesis-video-signaling');
    // No `Username`: the credentials are reused for everyone this container answers until they expire.
    const answer = await client.send(new GetIceServerConfigCommand({ ChannelARN: channelArn, Service: 'TURN' }));
    return answer.IceServerList ?? [];
  }

  private signalingClient(channelArn: string): Promise<KinesisVideoSignalingClient> {
    let client = this.signalingClients.get(channelArn);
    if (!client) {
      client = connectToChannel(channelArn);
      // A failure is not kept: the next request asks again.
      client.catch(() => this.signalingClients.delete(channelArn));
      this.signalingClients.set(channelArn, client);
    }
    return client;
  }
}

async function connectToChannel(channelArn: string): Promise<KinesisVideoSignalingClient> {
  const [{ KinesisVideoClient, GetSignalingChannelEndpointCommand }, { KinesisVideoSignalingClient }] = await Promise.all([
    import('@aws-sdk/client-kinesis-video'),
    import('@aws-sdk/client-kinesis-video-signaling'),
  ]);
  const { ResourceEndpointList } = await new KinesisVideoClient({}).send(
    new GetSignalingChannelEndpointCommand({
      ChannelARN: channelArn,
      // HTTPS is the endpoint GetIceServerConfig is served on. VIEWER is the lesser role (it may only
      // send offers to a master, and no master ever connects here); no WebSocket is ever opened.
      SingleMasterChannelEndpointConfiguration: { Protocols: ['HTTPS'], Role: 'VIEWER' },
    }),
  );
  const endpoint = ResourceEndpointList?.find((entry) => entry.Protocol === 'HTTPS')?.ResourceEndpoint;
  if (!endpoint) throw new Error(`No HTTPS endpoint for signaling channel ${channelArn}`);
  return new KinesisVideoSignalingClient({ endpoint });
}
