/**
 * The platform's backend making one request to the platform API, run inside the gateway's network
 * namespace (the only place its loopback port exists): `node --import tsx platform-backend.ts
 * <platform API URL> <platform-key.json> <METHOD> <path> [<JSON body>]`. Prints the answer as
 * `{"status": …, "body": …}` on stdout.
 */
import { readFileSync } from 'node:fs';
import { PlatformClient } from '../../support/platform-client';

const [url, keyFile, method, path, body] = process.argv.slice(2);
if (!url || !keyFile || !method || !path) {
  process.stderr.write('usage: platform-backend.ts <url> <key file> <method> <path> [<json body>]\n');
  process.exit(2);
}
const key = JSON.parse(readFileSync(keyFile, 'utf8')) as { accessKeyId: string; secretAccessKey: string };
const answer = await new PlatformClient(url, key).send(method, path, body === undefined ? undefined : JSON.parse(body));
process.stdout.write(`${JSON.stringify({ status: answer.status, body: answer.body })}\n`);
