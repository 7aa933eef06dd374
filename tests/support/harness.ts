/**
 * Starts the real local gateway (in memory, ephemeral port) and connects real sockets to it. The
 * mode comes from the environment (`gateway-mode.ts`): the handler sources, or the deployed bundles.
 * Closing fails the test file when the gateway logged a failed invocation or an IAM refusal.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { startLocalGateway, type LocalGatewayOptions } from '../../infra/local/gateway';
import { describeProblems } from '../../infra/local/problems';
import { signCallGrant } from '../../lambdas/auth/call-grant';
import { signToken } from '../../lambdas/auth/token';
import type { CallRecord } from '../../lambdas/core/model';
import type { TokenClaims } from '../../shared/identity';
import { CALL_LOGS_TABLE, CONNECTIONS_TABLE, connectionItemKey } from '../../shared/tables';
import { asDeployedOptions } from './gateway-mode';
import { TestSocket } from './test-socket';

export type Harness = Awaited<ReturnType<typeof startHarness>>;

export async function startHarness(options: Partial<LocalGatewayOptions> = {}) {
  const asDeployed = asDeployedOptions();
  const gateway = await startLocalGateway({ port: 0, memory: true, quiet: true, ...(asDeployed ? { asDeployed } : {}), ...options });
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: gateway.dynamodbEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const sockets: TestSocket[] = [];

  return {
    gateway,
    db,
    async token(claims: TokenClaims, ttlSeconds?: number): Promise<string> {
      return (await signToken(gateway.secret, claims, ttlSeconds)).token;
    },
    /** Opens a socket signed in as the profile (declaring `features` at connect, if given). */
    async connect(
      profileType: string,
      profileId: string | number,
      name = `${profileType} ${profileId}`,
      features?: string,
    ): Promise<TestSocket> {
      const socket = await TestSocket.open(
        gateway.websocketUrl,
        (await signToken(gateway.secret, { profile_type: profileType, profile_id: profileId, name })).token,
        features,
      );
      sockets.push(socket);
      return socket;
    },
    /** A voice call from student `studentId` to tutor `tutorId`, answered; resolves once the caller has the answer. */
    async answeredCall(studentId: number, tutorId: number): Promise<{ caller: TestSocket; callee: TestSocket; callId: string }> {
      const caller = await this.connect('student', studentId, 'John Doe');
      const callee = await this.connect('tutor', tutorId, 'Ada Tutor');
      caller.send({ type: 'call_invitation', call_type: 'voice', to_profile_id: tutorId, to_profile_type: 'tutor', offer: offer() });
      const { call_id: callId } = await callee.next('call_invitation');
      callee.send({ type: 'call_answer', call_id: callId, answer: answer() });
      await caller.next('call_answer');
      return { caller, callee, callId };
    },
    async callLog(callId: string): Promise<CallRecord | undefined> {
      const { Item } = await db.send(new GetCommand({ TableName: CALL_LOGS_TABLE.localName, Key: { call_id: callId } }));
      return Item as CallRecord | undefined;
    },
    /** Waits until the call log satisfies `done` (handlers write before or after they reply). */
    async settledLog(callId: string, done: (call: CallRecord) => boolean, timeoutMs = 3_000): Promise<CallRecord> {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const call = await this.callLog(callId);
        if (call && done(call)) return call;
        if (Date.now() > until) throw new Error(`call ${callId} did not settle: ${JSON.stringify(call)}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async socketItem(connectionId: string): Promise<Record<string, unknown> | undefined> {
      const { Item } = await db.send(
        new GetCommand({ TableName: CONNECTIONS_TABLE.localName, Key: { pk: connectionItemKey(connectionId) } }),
      );
      return Item;
    },
    /** Plants the record of a socket that died without `$disconnect` (a crashed gateway, a lost event). */
    async plantDeadSocket(profileKey: string, connectionId: string): Promise<void> {
      await db.send(
        new PutCommand({
          TableName: CONNECTIONS_TABLE.localName,
          Item: {
            pk: connectionItemKey(connectionId),
            connection_id: connectionId,
            profile_key: profileKey,
            connected_at: new Date().toISOString(),
            [CONNECTIONS_TABLE.ttlAttribute]: Math.floor(Date.now() / 1000) + 3600,
          },
        }),
      );
    },
    async deleteSocketItem(connectionId: string): Promise<void> {
      await db.send(new DeleteCommand({ TableName: CONNECTIONS_TABLE.localName, Key: { pk: connectionItemKey(connectionId) } }));
    },
    /** Closes the sockets and the gateway; throws when the gateway logged any `handler_failed` or `iam_denied` line. */
    async close(): Promise<void> {
      for (const socket of sockets) socket.terminate();
      await gateway.close();
      const problems = gateway.problems();
      if (problems.length > 0) {
        throw new Error(`The ${gateway.mode} gateway logged ${problems.length} problem line(s):\n${describeProblems(problems)}`);
      }
    },
  };
}

/**
 * A call grant for student `studentId` to call tutor `tutorId` in `conversationId`, signed with the
 * gateway's secret as the platform's backend would sign it (`ttlSeconds` default 300).
 */
export async function studentTutorGrant(
  h: Pick<Harness, 'gateway'>,
  studentId: number,
  tutorId: number,
  conversationId: string | number,
  options: { ttlSeconds?: number; issuedAt?: Date } = {},
): Promise<string> {
  const claims = {
    caller: { profile_id: studentId, profile_type: 'student' },
    callee: { profile_id: tutorId, profile_type: 'tutor' },
    conversation_id: conversationId,
  };
  return (await signCallGrant(h.gateway.secret, claims, options.ttlSeconds, options.issuedAt)).grant;
}

export const offer = (tag = 'caller') => ({ type: 'offer' as const, sdp: `v=0\r\no=- ${tag} 2 IN IP4 127.0.0.1\r\ns=-\r\n` });
export const answer = (tag = 'callee') => ({ type: 'answer' as const, sdp: `v=0\r\no=- ${tag} 2 IN IP4 127.0.0.1\r\ns=-\r\n` });
export const candidate = (port: number) => ({
  candidate: `candidate:1 1 udp 2122260223 127.0.0.1 ${port} typ host`,
  sdpMid: '0',
  sdpMLineIndex: 0,
});
