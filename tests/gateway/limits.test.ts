/** Connection limits, expiry of stored items, and a gateway started without dev sign-in. */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalGateway } from '../../infra/local/gateway';
import { CONNECTIONS_TABLE } from '../../shared/tables';
import { startHarness, type Harness } from '../support/harness';
import { connectionIdsOf, eventually, rawRequest } from './helpers';

const IDLE_SECONDS = 0.4;
const MAX_CONNECTION_SECONDS = 1.2;
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({
    idleTimeoutSeconds: IDLE_SECONDS,
    maxConnectionSeconds: MAX_CONNECTION_SECONDS,
    ttlSweepIntervalMs: 100,
    devLogin: false,
    // Given outright, so this gateway writes no secret file anywhere.
    jwtSecret: 'limits-test-secret-limits-test-secret',
  });
});

afterAll(async () => {
  await harness?.close();
});

describe('connection limits', () => {
  it('closes a silent socket after the idle timeout with 1001 "Going away", and runs $disconnect', async () => {
    const opened = Date.now();
    const socket = await harness.connect('student', 1);
    expect(await socket.closed).toEqual({ code: 1001, reason: 'Going away' });
    expect(Date.now() - opened).toBeGreaterThanOrEqual(IDLE_SECONDS * 1000 - 50);
    await eventually(
      () => connectionIdsOf(harness.db, 'student_1'),
      (ids) => ids.length === 0,
    );
  });

  it('keeps a talking socket open past the idle timeout, until the maximum connection time', async () => {
    const opened = Date.now();
    const socket = await harness.connect('student', 2);
    const talking = setInterval(() => socket.send({ type: 'ping' }), 100);
    try {
      const closed = await socket.closed;
      expect(closed).toEqual({ code: 1001, reason: 'Going away' });
      expect(Date.now() - opened).toBeGreaterThanOrEqual(MAX_CONNECTION_SECONDS * 1000 - 50);
      expect(socket.received.filter((message) => message.type === 'pong').length).toBeGreaterThan(5);
    } finally {
      clearInterval(talking);
    }
  });
});

describe('expiry of stored items (DynamoDB TTL)', () => {
  it('deletes items whose TTL has passed and keeps the others', async () => {
    const now = Math.floor(Date.now() / 1000);
    const item = (pk: string, expires: number) =>
      harness.db.send(new PutCommand({ TableName: CONNECTIONS_TABLE.localName, Item: { pk, [CONNECTIONS_TABLE.ttlAttribute]: expires } }));
    await item('conn#expired', now - 10);
    await item('conn#current', now + 3600);
    const stored = (pk: string) => harness.db.send(new GetCommand({ TableName: CONNECTIONS_TABLE.localName, Key: { pk } }));
    await eventually(
      () => stored('conn#expired'),
      ({ Item }) => Item === undefined,
    );
    expect((await stored('conn#current')).Item).toBeDefined();
  });
});

describe('with dev sign-in turned off', () => {
  it('answers 404 at /dev/token and says so in config.json', async () => {
    const token = await rawRequest(harness.gateway.httpUrl, {
      method: 'POST',
      path: '/dev/token',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ profile_id: 1, profile_type: 'student', name: 'S' }),
    });
    expect(token.status).toBe(404);
    const config = await rawRequest(harness.gateway.httpUrl, { path: '/config.json' });
    expect(JSON.parse(config.body)).toMatchObject({ devLogin: false });
  });
});

describe('one gateway per process', () => {
  it('refuses to start a second one while the first runs', async () => {
    await expect(startLocalGateway({ port: 0, memory: true, quiet: true })).rejects.toThrow(/already running/);
  });
});
