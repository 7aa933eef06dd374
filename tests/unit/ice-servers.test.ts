import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  answerFromSources,
  CachedCredentials,
  CREDENTIAL_REUSE_MARGIN_MS,
  iceServersAnswer,
  isReusable,
  kvsGrant,
  KVS_CREDENTIAL_LIFETIME_SECONDS,
  RETRY_AFTER_FAILURE_SECONDS,
  STATIC_ICE_TTL_SECONDS,
  stunGrant,
  turnRestGrant,
  TURN_REST_TTL_SECONDS,
  type IceGrant,
} from '../../lambdas/core/ice-servers';
import { profileKey } from '../../shared/profile';

const NOW = new Date('2026-12-01T12:00:00.000Z');
const KEY = profileKey('student', '456');
const KVS_ANSWER = [
  {
    Uris: [
      'turn:1-2-3-4.t-abc.kinesisvideo.eu-west-1.amazonaws.com:443?transport=udp',
      'turns:1-2-3-4.t-abc.kinesisvideo.eu-west-1.amazonaws.com:443?transport=tcp',
    ],
    Username: '1733054700:channel-user',
    Password: 'secret-a',
    Ttl: 300,
  },
  { Uris: ['turn:5-6-7-8.t-abc.kinesisvideo.eu-west-1.amazonaws.com:443?transport=udp'], Username: 'u2', Password: 'secret-b', Ttl: 300 },
];

describe('KVS IceServerList to RTCIceServer', () => {
  it('maps URIs, username and password, handing out one server (allocations are the scarce quota)', () => {
    expect(kvsGrant(KVS_ANSWER, NOW.getTime())).toEqual({
      servers: [{ urls: KVS_ANSWER[0]!.Uris, username: '1733054700:channel-user', credential: 'secret-a' }],
      expiresAtMs: NOW.getTime() + 300_000,
    });
  });

  it('skips entries a browser could not use, and assumes the documented 5 minutes when Ttl is missing', () => {
    const grant = kvsGrant(
      [
        { Uris: [], Username: 'u', Password: 'p' },
        { Uris: ['turn:x:443'], Username: 'u' },
        { Uris: ['turn:y:443'], Username: 'u', Password: 'p' },
      ],
      0,
    );
    expect(grant).toEqual({
      servers: [{ urls: ['turn:y:443'], username: 'u', credential: 'p' }],
      expiresAtMs: KVS_CREDENTIAL_LIFETIME_SECONDS * 1000,
    });
    expect(kvsGrant([], 0)).toEqual({ servers: [] });
  });
});

describe('TURN REST credentials', () => {
  it('are signed for the profile and expire with their username', () => {
    const grant = turnRestGrant('shared', ['turn:turn.example.net:3478'], KEY, NOW);
    const expiry = NOW.getTime() / 1000 + TURN_REST_TTL_SECONDS;
    const username = `${expiry}:${KEY}`;
    expect(grant).toEqual({
      servers: [
        { urls: ['turn:turn.example.net:3478'], username, credential: createHmac('sha1', 'shared').update(username).digest('base64') },
      ],
      expiresAtMs: expiry * 1000,
    });
  });
});

describe('the answer', () => {
  it('says the shortest remaining lifetime of its credentials, so none is used past its end', () => {
    const answer = iceServersAnswer(
      [
        stunGrant(['stun:stun.example.net:3478']),
        turnRestGrant('s', ['turn:a:3478'], KEY, NOW),
        kvsGrant(KVS_ANSWER, NOW.getTime() - 100_500),
      ],
      NOW.getTime(),
    );
    expect(answer.ttl).toBe(199);
    expect(answer.ice_servers.map((server) => server.urls)).toEqual([['stun:stun.example.net:3478'], ['turn:a:3478'], KVS_ANSWER[0]!.Uris]);
  });

  it('is asked again after hours when nothing in it expires (STUN only)', () => {
    expect(iceServersAnswer([stunGrant(['stun:s:3478'])], NOW.getTime())).toEqual({
      type: 'ice_servers',
      ice_servers: [{ urls: ['stun:s:3478'] }],
      ttl: STATIC_ICE_TTL_SECONDS,
    });
    expect(iceServersAnswer([stunGrant([])], NOW.getTime()).ice_servers).toEqual([]);
  });

  it('leaves out a source that failed and expires soon, so the client asks again', async () => {
    const failures: unknown[] = [];
    const answer = await answerFromSources(
      [() => Promise.resolve(stunGrant(['stun:s:3478'])), () => Promise.reject(new Error('KVS throttled'))],
      KEY,
      NOW,
      (error) => failures.push(error),
    );
    expect(answer).toEqual({ type: 'ice_servers', ice_servers: [{ urls: ['stun:s:3478'] }], ttl: RETRY_AFTER_FAILURE_SECONDS });
    expect(failures).toEqual([new Error('KVS throttled')]);
  });
});

describe('cached managed credentials', () => {
  const grantAt = (fetchedAtMs: number): IceGrant => kvsGrant(KVS_ANSWER, fetchedAtMs);

  it('are reused until shortly before they expire', () => {
    const grant = grantAt(0);
    expect(isReusable(grant, 300_000 - CREDENTIAL_REUSE_MARGIN_MS - 1)).toBe(true);
    expect(isReusable(grant, 300_000 - CREDENTIAL_REUSE_MARGIN_MS)).toBe(false);
    expect(isReusable(stunGrant(['stun:s:3478']), Number.MAX_SAFE_INTEGER)).toBe(true);
  });

  it('are fetched once per channel while reusable, then again', async () => {
    const fetched: string[] = [];
    let next = 0;
    const credentials = new CachedCredentials(
      ['channel-a', 'channel-b'],
      async (channel, nowMs) => {
        fetched.push(channel);
        return grantAt(nowMs);
      },
      () => next,
    );
    await credentials.grant(0);
    await credentials.grant(10_000);
    next = 1;
    await credentials.grant(20_000);
    next = 0;
    const renewed = await credentials.grant(300_000 - CREDENTIAL_REUSE_MARGIN_MS);
    expect(fetched).toEqual(['channel-a', 'channel-b', 'channel-a']);
    expect(renewed.expiresAtMs).toBe(300_000 - CREDENTIAL_REUSE_MARGIN_MS + 300_000);
  });
});
