/**
 * `npm run token -- --profile-type student --profile-id 456 --name "John Doe"`: prints a connect
 * token (or, with `--grant-for-callee-type`/`--grant-for-callee-id`/`--conversation`, a call grant
 * for that profile to call the callee in that conversation) signed with the same secret the local gateway uses (`JWT_SECRET`, else `<dataDir>/jwt-secret`,
 * created when neither exists, so a gateway started later agrees), or with `--stack NAME` the
 * secret of a deployed stack (read from Secrets Manager with the caller's AWS credentials).
 */
import { parseArgs } from 'node:util';
import * as v from 'valibot';
import { ENV } from '../../shared/env';
import { TokenClaimsSchema } from '../../shared/identity';
import { signCallGrant } from '../../lambdas/auth/call-grant';
import { DEFAULT_TOKEN_TTL_SECONDS, signToken } from '../../lambdas/auth/token';
import { DEFAULT_CALL_GRANT_TTL_SECONDS } from '../../shared/limits';
import { readStackSigningSecret } from '../aws/stack-secret';
import { DEFAULT_DATA_DIR } from './paths';
import { loadSigningSecret } from './signing-secret-file';

const USAGE = `Usage: npm run token -- --profile-type TYPE --profile-id ID --name NAME [options]
       npm run token -- --profile-type TYPE --profile-id ID --grant-for-callee-type TYPE
                        --grant-for-callee-id ID --conversation ID [--call-type voice|video]

Prints a token for connecting to the local gateway: ws://127.0.0.1:8080/?token=<token>
(or, with --stack, to a deployed stack's WebSocket URL).

Options:
  --profile-type TYPE  tutor, student, parent, advertiser (or PROFILE_TYPES)
  --profile-id ID      a number or a short string
  --name NAME          display name
  --avatar URL         avatar image URL
  --user-id ID         the platform's user id
  --ttl SECONDS        lifetime (default ${DEFAULT_TOKEN_TTL_SECONDS}; a call grant ${DEFAULT_CALL_GRANT_TTL_SECONDS})
  --grant-for-callee-type TYPE, --grant-for-callee-id ID, --conversation ID
                       print a call grant instead (see PROTOCOL.md, Who may call whom): the
                       profile above may call this callee in this conversation; no --name needed
  --call-type TYPE     with a grant: only for voice, or only for video
  --data-dir DIR       where the gateway keeps jwt-secret (default .data)
  (TOKEN_ISSUER / TOKEN_AUDIENCE, when set, go into the token or grant as iss / aud)
  --stack NAME         sign for a deployed stack instead (reads its secret from AWS)
  --region REGION      the stack's region (default: AWS_REGION or your AWS profile's)
  --help               show this help
`;

/** The `iss` and `aud` the gateway asks for when `TOKEN_ISSUER` / `TOKEN_AUDIENCE` are set: tokens and grants carry them. */
function issuance(env: NodeJS.ProcessEnv = process.env): { issuer?: string; audience?: string } {
  const issuer = env[ENV.tokenIssuer]?.trim();
  const audience = env[ENV.tokenAudience]?.trim();
  return { ...(issuer ? { issuer } : {}), ...(audience ? { audience } : {}) };
}

/** Digit-only ids become numbers, as the platform's ids are; tokens compare them by string anyway. */
const idValue = (text: string): string | number => (/^\d{1,15}$/.test(text) ? Number(text) : text);

function callTypeOf(text: string | undefined): 'voice' | 'video' | undefined {
  if (text === undefined || text === 'voice' || text === 'video') return text;
  return fail(`--call-type is voice or video, got "${text}"`);
}

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function parseFlags(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        'profile-type': { type: 'string' },
        'profile-id': { type: 'string' },
        name: { type: 'string' },
        avatar: { type: 'string' },
        'user-id': { type: 'string' },
        ttl: { type: 'string' },
        'data-dir': { type: 'string' },
        stack: { type: 'string' },
        region: { type: 'string' },
        'grant-for-callee-type': { type: 'string' },
        'grant-for-callee-id': { type: 'string' },
        conversation: { type: 'string' },
        'call-type': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
}

async function main(): Promise<void> {
  const values = parseFlags(process.argv.slice(2));
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const profileType = values['profile-type'];
  const profileId = values['profile-id'];
  const name = values.name;
  const grantMode = [values['grant-for-callee-type'], values['grant-for-callee-id'], values.conversation].some(
    (value) => value !== undefined,
  );
  if (!profileType || !profileId || (!name && !grantMode)) fail('--profile-type, --profile-id and --name are required');
  const ttl = values.ttl === undefined ? (grantMode ? DEFAULT_CALL_GRANT_TTL_SECONDS : DEFAULT_TOKEN_TTL_SECONDS) : Number(values.ttl);
  if (!Number.isFinite(ttl) || ttl <= 0) fail(`--ttl needs a positive number of seconds, got "${values.ttl}"`);
  const secretOf = async () =>
    values.stack
      ? readStackSigningSecret({ stackName: values.stack, ...(values.region ? { region: values.region } : {}) })
      : (await loadSigningSecret({ dataDir: values['data-dir'] ?? DEFAULT_DATA_DIR })).secret;

  if (grantMode) {
    const calleeType = values['grant-for-callee-type'];
    const calleeId = values['grant-for-callee-id'];
    const conversation = values.conversation;
    if (!calleeType || !calleeId || !conversation)
      fail('a call grant needs --grant-for-callee-type, --grant-for-callee-id and --conversation');
    const callType = callTypeOf(values['call-type']);
    const claims = {
      caller: { profile_type: profileType, profile_id: idValue(profileId) },
      callee: { profile_type: calleeType, profile_id: idValue(calleeId) },
      conversation_id: idValue(conversation),
      ...(callType !== undefined ? { call_type: callType } : {}),
    };
    const secret = await secretOf();
    let signed: Awaited<ReturnType<typeof signCallGrant>>;
    try {
      signed = await signCallGrant(secret, claims, ttl, new Date(), issuance());
    } catch (error) {
      return fail(error instanceof Error ? error.message : String(error));
    }
    process.stdout.write(`${signed.grant}\n`);
    process.stderr.write(`call grant, expires ${signed.expiresAt.toISOString()}\n`);
    return;
  }

  const claims = v.safeParse(TokenClaimsSchema, {
    profile_type: profileType,
    profile_id: idValue(profileId),
    name,
    avatar: values.avatar,
    user_id: values['user-id'] === undefined ? undefined : idValue(values['user-id']),
  });
  if (!claims.success) fail(v.summarize(claims.issues));

  const secret = await secretOf();
  const { token, expiresAt } = await signToken(secret, claims.output, ttl, issuance());
  process.stdout.write(`${token}\n`);
  process.stderr.write(`expires ${expiresAt.toISOString()}\n`);
}

await main();
