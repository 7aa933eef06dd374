/**
 * What a deployment offers browsers to cross NATs: STUN by default (Kinesis Video Streams' own for
 * the region), off on request, and TURN with short-lived credentials from the managed option the
 * context chooses, reachable only by the function that answers `ice_servers`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAppSettings } from '../../infra/aws/app-settings';
import { DEFAULT_KVS_TURN_CHANNELS } from '../../infra/aws/ice-servers';
import { CLIENT_CONFIG_FILE } from '../../shared/client-config';
import { ENV } from '../../shared/env';
import { FUNCTIONS, WEBSOCKET_APIS, functionForRoute } from '../../shared/routes';
import { resourcesOfType, synthesize, type Synthesized, type Statement } from './support/synth';

const IMPORTED_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:turn-shared-secret-AbC123';
const KVS_STUN = { 'Fn::Join': ['', ['stun:stun.kinesisvideo.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, ':443']] };
/** The function answering `ice_servers` on each WebSocket API: the chat page's and the session page's. */
const ICE_SERVERS_IDS = WEBSOCKET_APIS.map((api) => functionForRoute('ice_servers', api).id);
/** The same value for each `ice_servers` function, by function id. */
const onEachIceServers = <T>(value: T): Record<string, T> => Object.fromEntries(ICE_SERVERS_IDS.map((id) => [id, value]));

const actionsOf = (statement: Statement): string[] => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]);

function statementsOf(synth: Synthesized, functionId: string): Statement[] {
  const handler = synth.stack.handlers.functions.get(functionId)!;
  const roleId = synth.logicalId(handler.function.role!);
  return Object.values(resourcesOfType(synth.template, 'AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(`"${roleId}"`))
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

function environmentOf(synth: Synthesized, functionId: string): Record<string, unknown> {
  const id = synth.logicalId(synth.stack.handlers.functions.get(functionId)!.function);
  const props = resourcesOfType(synth.template, 'AWS::Lambda::Function')[id]!.Properties;
  return (props.Environment as { Variables: Record<string, unknown> }).Variables;
}

/** The generated `config.json` with its deploy-time markers resolved back to template expressions. */
function clientIceServers(synth: Synthesized): unknown {
  const deployments = resourcesOfType(synth.template, 'Custom::CDKBucketDeployment');
  for (const deployment of Object.values(deployments)) {
    const keys = (deployment.Properties.SourceObjectKeys ?? []) as string[];
    const markers = (deployment.Properties.SourceMarkers ?? []) as Array<Record<string, unknown>>;
    for (const [index, key] of keys.entries()) {
      const path = join(synth.outdir, `asset.${key.replace(/\.zip$/, '')}`, CLIENT_CONFIG_FILE);
      if (!existsSync(path)) continue;
      const resolveMarkers = (_key: string, value: unknown): unknown =>
        typeof value === 'string' ? value.replace(/<<marker:0xbaba:\d+>>/g, (marker) => JSON.stringify(markers[index]![marker])) : value;
      return (JSON.parse(readFileSync(path, 'utf8'), resolveMarkers) as { iceServers: unknown }).iceServers;
    }
  }
  throw new Error('No config.json in the template');
}

/** The KVS actions and the secret reads (other than of the signing secret) each function is granted, by function id. */
function iceGrants(synth: Synthesized): Record<string, string[]> {
  const signingSecret = synth.logicalId(synth.stack.signingSecret.secret);
  const found: Record<string, string[]> = {};
  for (const definition of FUNCTIONS) {
    const actions = statementsOf(synth, definition.id)
      .filter((statement) => !JSON.stringify(statement.Resource).includes(`"${signingSecret}"`))
      .flatMap(actionsOf)
      .filter((action) => action.startsWith('kinesisvideo:') || action === 'secretsmanager:GetSecretValue');
    if (actions.length > 0) found[definition.id] = actions.sort();
  }
  return found;
}

describe('a fresh synth', () => {
  let synth: Synthesized;
  beforeAll(() => {
    // As `cdk synth` with no context: cdk-nag runs too, and must find nothing new.
    synth = synthesize({}, { nag: true });
  });
  afterAll(() => synth?.cleanup());

  it("offers Kinesis Video Streams' STUN server of the stack's region, to ice_servers and in config.json", () => {
    for (const id of ICE_SERVERS_IDS) expect(environmentOf(synth, id)[ENV.stunUrls], id).toEqual(KVS_STUN);
    expect(clientIceServers(synth)).toEqual([
      { urls: [`stun:stun.kinesisvideo.${'{"Ref":"AWS::Region"}'}.${'{"Ref":"AWS::URLSuffix"}'}:443`] },
    ]);
  });

  it('creates no TURN resources and grants nobody TURN credentials', () => {
    expect(Object.keys(resourcesOfType(synth.template, 'AWS::KinesisVideo::SignalingChannel'))).toEqual([]);
    expect(iceGrants(synth)).toEqual({});
    for (const id of ICE_SERVERS_IDS) {
      expect(environmentOf(synth, id)[ENV.kvsChannelArns], id).toBeUndefined();
      expect(environmentOf(synth, id)[ENV.turnSecretArn], id).toBeUndefined();
    }
  });
});

describe('stunUrls=none', () => {
  let synth: Synthesized;
  beforeAll(() => {
    const settings = readAppSettings((key) => ({ stunUrls: 'none' })[key]);
    synth = synthesize({ ...(settings.stunUrls ? { stunUrls: settings.stunUrls } : {}) });
  });
  afterAll(() => synth?.cleanup());

  it('offers no STUN server anywhere', () => {
    for (const definition of FUNCTIONS) expect(environmentOf(synth, definition.id)[ENV.stunUrls], definition.id).toBeUndefined();
    expect(clientIceServers(synth)).toEqual([]);
  });
});

describe('turn=kvs', () => {
  let synth: Synthesized;
  beforeAll(() => {
    const settings = readAppSettings((key) => ({ turn: 'kvs' })[key]);
    synth = synthesize({ turn: settings.turn }, { nag: true });
  });
  afterAll(() => synth?.cleanup());

  const channelIds = () => Object.keys(resourcesOfType(synth.template, 'AWS::KinesisVideo::SignalingChannel'));

  it('creates the signaling channels TURN credentials come from', () => {
    expect(channelIds()).toHaveLength(DEFAULT_KVS_TURN_CHANNELS);
    for (const channel of Object.values(resourcesOfType(synth.template, 'AWS::KinesisVideo::SignalingChannel'))) {
      expect(channel.Properties.Type).toBe('SINGLE_MASTER');
    }
  });

  it.each(ICE_SERVERS_IDS)(
    'lets only ice_servers (%s) ask for the channel endpoint and the ICE server config, on those channels only',
    (id) => {
      expect(iceGrants(synth)).toEqual(onEachIceServers(['kinesisvideo:GetIceServerConfig', 'kinesisvideo:GetSignalingChannelEndpoint']));
      const kvsStatements = statementsOf(synth, id).filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('kinesisvideo:')),
      );
      // Order is CDK's own: compare as sets.
      const byText = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));
      expect(
        kvsStatements.map((statement) => ({
          Effect: statement.Effect,
          Action: actionsOf(statement).sort(),
          Resource: [statement.Resource].flat().sort(byText),
        })),
      ).toEqual([
        {
          Effect: 'Allow',
          Action: ['kinesisvideo:GetIceServerConfig', 'kinesisvideo:GetSignalingChannelEndpoint'],
          Resource: channelIds()
            .map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] }))
            .sort(byText),
        },
      ]);
    },
  );

  it('tells only ice_servers the channel ARNs', () => {
    for (const id of ICE_SERVERS_IDS) {
      expect(environmentOf(synth, id)[ENV.kvsChannelArns], id).toEqual({
        'Fn::Join': ['', channelIds().flatMap((channel, index) => [...(index > 0 ? [','] : []), { 'Fn::GetAtt': [channel, 'Arn'] }])],
      });
    }
    for (const definition of FUNCTIONS.filter((fn) => !ICE_SERVERS_IDS.includes(fn.id))) {
      expect(environmentOf(synth, definition.id)[ENV.kvsChannelArns], definition.id).toBeUndefined();
    }
  });
});

describe('turn=rest', () => {
  const restSettings = (extra: Record<string, string> = {}) =>
    readAppSettings((key) => ({ turn: 'rest', turnUrls: 'turn:turn.example.net:3478,turns:turn.example.net:5349', ...extra })[key]);

  describe('with a stack-generated secret', () => {
    let synth: Synthesized;
    beforeAll(() => {
      synth = synthesize({ turn: restSettings().turn }, { nag: true });
    });
    afterAll(() => synth?.cleanup());

    const secretId = () => synth.logicalId(synth.stack.iceServers.turnSecret!);

    it('generates the shared secret in Secrets Manager and lets only ice_servers read its value', () => {
      expect(resourcesOfType(synth.template, 'AWS::SecretsManager::Secret')[secretId()]!.Properties.GenerateSecretString).toMatchObject({
        PasswordLength: 48,
      });
      expect(iceGrants(synth)).toEqual(onEachIceServers(['secretsmanager:GetSecretValue']));
      for (const id of ICE_SERVERS_IDS) {
        const reads = statementsOf(synth, id).filter((statement) => JSON.stringify(statement.Resource).includes(secretId()));
        expect(reads, id).toEqual([{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: secretId() } }]);
      }
    });

    it('tells ice_servers the TURN URLs and where the secret is, never the secret itself', () => {
      for (const id of ICE_SERVERS_IDS) {
        expect(environmentOf(synth, id), id).toMatchObject({
          [ENV.turnUrls]: 'turn:turn.example.net:3478,turns:turn.example.net:5349',
          [ENV.turnSecretArn]: { Ref: secretId() },
        });
      }
      for (const definition of FUNCTIONS) expect(environmentOf(synth, definition.id)[ENV.turnSecret], definition.id).toBeUndefined();
    });

    it('names the secret in an output, so the operator can set it on the TURN server', () => {
      expect(synth.template.toJSON().Outputs.TurnSecretArn.Value).toEqual({ Ref: secretId() });
    });
  });

  describe('with a secret imported by ARN', () => {
    let synth: Synthesized;
    beforeAll(() => {
      synth = synthesize({ turn: restSettings({ turnSecretArn: IMPORTED_SECRET_ARN }).turn });
    });
    afterAll(() => synth?.cleanup());

    it('creates no secret and grants ice_servers reading that one only', () => {
      const generated = Object.values(resourcesOfType(synth.template, 'AWS::SecretsManager::Secret')).filter((secret) =>
        String(secret.Properties.Description).includes('TURN'),
      );
      expect(generated).toEqual([]);
      for (const id of ICE_SERVERS_IDS) {
        const reads = statementsOf(synth, id).filter((statement) => actionsOf(statement).includes('secretsmanager:GetSecretValue'));
        expect(reads, id).toEqual([{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: IMPORTED_SECRET_ARN }]);
        expect(environmentOf(synth, id)[ENV.turnSecretArn], id).toBe(IMPORTED_SECRET_ARN);
      }
    });
  });
});

describe('TURN context', () => {
  const from = (context: Record<string, unknown>) => readAppSettings((key) => context[key]);

  it('is refused at synth when it cannot work', () => {
    expect(() => from({ turn: 'coturn' })).toThrow(/turn/);
    expect(() => from({ turn: 'rest' })).toThrow(/turnUrls/);
    expect(() => from({ turn: 'rest', turnUrls: 'stun:turn.example.net:3478' })).toThrow(/turnUrls/);
    expect(() =>
      from({ turn: 'rest', turnUrls: 'turn:t.example:3478', turnSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x' }),
    ).toThrow(/turnSecretArn/);
    expect(() => from({ turn: 'kvs', kvsTurnChannels: '0' })).toThrow(/kvsTurnChannels/);
    expect(() => from({ stunUrls: 'turn:a.example:3478' })).toThrow(/stunUrls/);
  });

  it('takes the number of channels for turn=kvs', () => {
    expect(from({ turn: 'kvs', kvsTurnChannels: '25' }).turn).toEqual({ kind: 'kvs', channels: 25 });
  });
});
