/**
 * How each service refuses a call, byte for byte where it matters to the AWS SDK v3: the error
 * type it reads (`__type` for the JSON protocols, the `x-amzn-errortype` header for REST JSON) and
 * the status, so a handler sees the same error `name` it would see on AWS.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { RequestDecision } from './caller-authorization';
import { assumedRoleArn, type LocalAwsIdentity } from './local-identity';

export interface ServiceAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type Refusal = Exclude<RequestDecision, { verdict: 'allowed' }>;

/** What every AWS JSON service says of an access key it does not know. */
const INVALID_TOKEN = 'The security token included in the request is invalid.';

/** IAM's wording for an identity-based refusal, as services quote it. */
function identityRefusalMessage(refusal: Extract<Refusal, { verdict: 'denied' }>, identity: LocalAwsIdentity): string {
  const { principal, access, explicitDeny } = refusal;
  const user = assumedRoleArn(identity, principal.roleName, principal.functionName);
  const reason = explicitDeny
    ? 'with an explicit deny in an identity-based policy'
    : `because no identity-based policy allows the ${access.action} action`;
  return `User: ${user} is not authorized to perform: ${access.action} on resource: ${access.resource} ${reason}`;
}

/** An awsJson1_0 / awsJson1_1 error: the SDK takes the name from `__type` (after any `#`). */
export function awsJsonError(version: '1.0' | '1.1', status: number, type: string, body: Record<string, string>): ServiceAnswer {
  return {
    status,
    headers: { 'content-type': `application/x-amz-json-${version}`, 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify({ __type: type, ...body }),
  };
}

/**
 * DynamoDB answers 400 in both cases. Its front layer writes the denial's text as `Message` and the
 * unknown key's as `message` (captured answers quoted in public SDK issues and dynalite's own notes).
 */
export function dynamodbRefusal(refusal: Refusal, identity: LocalAwsIdentity): ServiceAnswer {
  if (refusal.verdict === 'unknown-caller') {
    return awsJsonError('1.0', 400, 'com.amazon.coral.service#UnrecognizedClientException', { message: INVALID_TOKEN });
  }
  return awsJsonError('1.0', 400, 'com.amazon.coral.service#AccessDeniedException', { Message: identityRefusalMessage(refusal, identity) });
}

export function secretsRefusal(refusal: Refusal, identity: LocalAwsIdentity): ServiceAnswer {
  if (refusal.verdict === 'unknown-caller') return awsJsonError('1.1', 400, 'UnrecognizedClientException', { message: INVALID_TOKEN });
  return awsJsonError('1.1', 400, 'AccessDeniedException', { Message: identityRefusalMessage(refusal, identity) });
}

/**
 * The @connections API sits behind execute-api's IAM authorization, which refuses with 403 and
 * `x-amzn-errortype: AccessDeniedException` (AWS Knowledge Center, "How do I troubleshoot HTTP 403
 * errors from API Gateway?": "User: <user-arn> is not authorized to perform: execute-api:… on
 * resource: <arn>", with " with an explicit deny" when a Deny matched; an invalid key gets the same
 * type with "The security token included in the request is invalid."). The message for
 * ManageConnections in that form is quoted in aws/aws-cdk#18410. The SDK's error is therefore
 * named `AccessDeniedException`, not the modelled `ForbiddenException`.
 */
export function managementRefusal(refusal: Refusal, identity: LocalAwsIdentity): ServiceAnswer {
  const message =
    refusal.verdict === 'unknown-caller'
      ? INVALID_TOKEN
      : `User: ${assumedRoleArn(identity, refusal.principal.roleName, refusal.principal.functionName)} is not authorized to perform: ` +
        `${refusal.access.action} on resource: ${refusal.access.resource}${refusal.explicitDeny ? ' with an explicit deny' : ''}`;
  return {
    status: 403,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException', 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify({ Message: message }),
  };
}

export function sendAnswer(response: ServerResponse, answer: ServiceAnswer): void {
  response.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
  response.end(answer.body);
}
