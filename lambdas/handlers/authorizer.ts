/** `$connect` REQUEST authorizer: the JWT in the `token` query parameter decides who the socket is. */
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { identityToContext } from '../../shared/identity';
import { profileKey } from '../../shared/profile';
import { readConfig, type RuntimeConfig } from '../runtime/config';
import { TOKEN_QUERY_PARAMETER } from '../../shared/connect-token';
import { signingSecret } from '../auth/signing-secret';
import { TokenError, verifyToken } from '../auth/token';
import { logRouting } from '../runtime/log';

/** Read at the first invocation, like every handler's settings, so loading the module needs no environment. */
let config: RuntimeConfig | undefined;

function policy(principalId: string, effect: 'Allow' | 'Deny', resource: string): APIGatewayAuthorizerResult {
  return {
    principalId,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] },
  };
}

function logRefusal(event: APIGatewayRequestAuthorizerEvent, reason: string, from: string | null): void {
  logRouting({
    route: '$connect',
    call_id: null,
    from,
    to: null,
    outcome: 'refused',
    reason,
    sockets_reached: 0,
    gone_sockets: 0,
    ms: 0,
    request_id: event.requestContext.requestId ?? null,
    connection_id: (event.requestContext as { connectionId?: string }).connectionId ?? null,
  });
}

export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const token = event.queryStringParameters?.[TOKEN_QUERY_PARAMETER];
  if (!token) {
    logRefusal(event, 'missing_token', null);
    throw new Error('Unauthorized');
  }
  const secret = await signingSecret();
  try {
    config ??= readConfig();
    const identity = await verifyToken(secret, token, config.tokenPolicy);
    const key = profileKey(identity.profileType, identity.profileId);
    if (!config.profileTypes.includes(identity.profileType)) {
      logRefusal(event, 'profile_type_not_allowed', key);
      return policy(key, 'Deny', event.methodArn);
    }
    return { ...policy(key, 'Allow', event.methodArn), context: { ...identityToContext(identity, identity.expiresAt) } };
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    logRefusal(event, `token_${error.failure}`, null);
    // API Gateway answers 401 for exactly this error message.
    throw new Error('Unauthorized');
  }
}
