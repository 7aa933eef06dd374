/**
 * How each service answers a request whose signature it cannot accept, as the AWS SDK reads it:
 *
 * - DynamoDB (awsJson1_0) and Secrets Manager (awsJson1_1): 400, the error type in `__type`
 *   (`MissingAuthenticationTokenException`, `IncompleteSignatureException`,
 *   `InvalidSignatureException`, `UnrecognizedClientException`; the wording dynalite's sources
 *   record from DynamoDB).
 * - execute-api (the @connections API): 403 with the type in `x-amzn-errortype` and the text in
 *   `message`; API Gateway's "Gateway response types" documentation lists MISSING_AUTHENTICATION_TOKEN
 *   ("Missing Authentication Token"), INVALID_SIGNATURE and EXPIRED_TOKEN, all 403. An unknown key is
 *   answered as `managementRefusal` answers it in as-deployed mode, so both modes agree.
 */
import { randomUUID } from 'node:crypto';
import { awsJsonError, managementRefusal, type ServiceAnswer } from './as-deployed/access-denied';
import type { LocalAwsIdentity } from './as-deployed/local-identity';
import type { SignatureVerdict } from './signature-v4';

export type SignatureProblem = Extract<SignatureVerdict, { valid: false }>;

export function dynamodbSignatureRefusal(problem: SignatureProblem): ServiceAnswer {
  return awsJsonError('1.0', 400, `com.amazon.coral.service#${problem.refusal}Exception`, { message: problem.message });
}

export function secretsSignatureRefusal(problem: SignatureProblem): ServiceAnswer {
  return awsJsonError('1.1', 400, `${problem.refusal}Exception`, { message: problem.message });
}

export function managementSignatureRefusal(problem: SignatureProblem, identity: LocalAwsIdentity): ServiceAnswer {
  if (problem.refusal === 'UnrecognizedClient') return managementRefusal({ verdict: 'unknown-caller' }, identity);
  return {
    status: 403,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': `${problem.refusal}Exception`, 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify({ message: problem.message }),
  };
}
