/**
 * A Secrets Manager endpoint serving the stack's secrets by ARN or name, `GetSecretValue` only,
 * to requests signed with a function's key and allowed by its IAM statements: an unmodified
 * `new SecretsManagerClient({})` reaches it through `AWS_ENDPOINT_URL_SECRETS_MANAGER` (the SDK's
 * variable for the service id "Secrets Manager").
 */
import { parseJsonBody } from '../http-util';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { admitSigned, type SignedEndpoint } from '../signed-endpoint';
import { secretsSignatureRefusal } from '../signature-refusals';
import type { SecretOf } from '../signature-v4';
import { listenOnLoopback, type LoopbackServer } from './loopback-server';
import { awsJsonError, secretsRefusal, sendAnswer } from './access-denied';
import { secretsAccess } from './aws-requests';
import { authorizeRequest, type Authorize } from './caller-authorization';
import { secretArnPrefix, type LocalAwsIdentity } from './local-identity';

/** The environment variable that points the SDK's Secrets Manager client here. */
export const SECRETS_MANAGER_ENDPOINT_ENV = 'AWS_ENDPOINT_URL_SECRETS_MANAGER';

export interface LocalSecret {
  readonly name: string;
  readonly value: string;
}

export interface SecretsEndpointOptions {
  /** By ARN. */
  readonly secrets: ReadonlyMap<string, LocalSecret>;
  readonly authorize: Authorize;
  /** The secret of each function's key, to check signatures with. */
  readonly secretOf: SecretOf;
  readonly identity: LocalAwsIdentity;
}

export type SecretsEndpoint = LoopbackServer;

/** GetSecretValue requests are a few hundred bytes; this only stops a runaway body. */
const MAX_REQUEST_BYTES = 64 * 1024;
const TARGET = 'secretsmanager.GetSecretValue';
const CURRENT = 'AWSCURRENT';

interface StoredSecret extends LocalSecret {
  readonly arn: string;
  readonly versionId: string;
  readonly createdEpochSeconds: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export async function startSecretsEndpoint(options: SecretsEndpointOptions): Promise<SecretsEndpoint> {
  const createdEpochSeconds = Math.floor(Date.now() / 1000);
  const stored: StoredSecret[] = [...options.secrets].map(([arn, secret]) => ({
    ...secret,
    arn,
    versionId: randomUUID(),
    createdEpochSeconds,
  }));
  // Secrets Manager finds a secret by its ARN, its name, or its ARN without the random suffix.
  const byId = new Map<string, StoredSecret>();
  for (const secret of stored) {
    byId.set(secret.name, secret);
    byId.set(secretArnPrefix(options.identity, secret.name), secret);
    byId.set(secret.arn, secret);
  }

  const notFound = (message: string) => awsJsonError('1.1', 400, 'ResourceNotFoundException', { Message: message });

  const endpoint: SignedEndpoint = {
    rules: { service: 'secretsmanager', region: options.identity.region, secretOf: options.secretOf },
    maxBodyBytes: MAX_REQUEST_BYTES,
    tooLarge: () => awsJsonError('1.1', 413, 'RequestEntityTooLarge', { Message: `Request size exceeded ${MAX_REQUEST_BYTES} bytes` }),
    refuse: (problem) =>
      problem.refusal === 'UnrecognizedClient'
        ? secretsRefusal({ verdict: 'unknown-caller' }, options.identity)
        : secretsSignatureRefusal(problem),
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const admitted = await admitSigned(request, response, endpoint);
    if (!admitted) return;
    const body = parseJsonBody(admitted.body);
    if (!isRecord(body))
      return sendAnswer(response, awsJsonError('1.1', 400, 'SerializationException', { Message: 'The request body is not a JSON object' }));
    const target = request.headers['x-amz-target'];
    const targetName = Array.isArray(target) ? target[0] : target;
    const accesses = secretsAccess(targetName, body, options.identity, (secretId) => byId.get(secretId)?.arn);
    if (!accesses)
      return sendAnswer(
        response,
        awsJsonError('1.1', 400, 'UnknownOperationException', { Message: `Unknown operation ${targetName ?? '(none)'}` }),
      );

    const decision = authorizeRequest(options.authorize, admitted.accessKeyId, accesses);
    if (decision.verdict !== 'allowed') return sendAnswer(response, secretsRefusal(decision, options.identity));
    if (targetName !== TARGET) {
      return sendAnswer(
        response,
        awsJsonError('1.1', 400, 'UnknownOperationException', { Message: `${targetName} is not served here; only GetSecretValue is` }),
      );
    }

    const secret = typeof body.SecretId === 'string' ? byId.get(body.SecretId) : undefined;
    if (!secret) return sendAnswer(response, notFound("Secrets Manager can't find the specified secret."));
    const { VersionId, VersionStage } = body;
    if ((VersionId !== undefined && VersionId !== secret.versionId) || (VersionStage !== undefined && VersionStage !== CURRENT)) {
      return sendAnswer(response, notFound("Secrets Manager can't find the specified secret value for the version asked for."));
    }
    const answer = JSON.stringify({
      ARN: secret.arn,
      Name: secret.name,
      VersionId: secret.versionId,
      SecretString: secret.value,
      VersionStages: [CURRENT],
      CreatedDate: secret.createdEpochSeconds,
    });
    sendAnswer(response, {
      status: 200,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() },
      body: answer,
    });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendAnswer(response, awsJsonError('1.1', 500, 'InternalServiceError', { Message: String(error) }));
      else response.destroy();
    });
  });
  return listenOnLoopback(server);
}
