/**
 * A STUN server (RFC 5389 binding only) that answers late, run inside a test's namespace: the
 * server-reflexive candidate it gives comes after the web client's half-trickle window, so it has
 * to trickle. It maps every request to `--mapped-address` (not the host's own address, which
 * Chromium would drop as a duplicate of the host candidate).
 *
 *   tsx tests/e2e/support/slow-stun.ts --port P --delay-ms 600 --ready-file F --lifetime-ms 60000
 *
 * Writes `F` once listening; exits after `--lifetime-ms`, or 3 s after its last answer, so the test
 * that started it never has to stop it. Prints the number of answers on exit.
 */
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const MAGIC_COOKIE = 0x2112a442;
const XOR_MAPPED_ADDRESS = 0x0020;
const IDLE_EXIT_MS = 3_000;

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'delay-ms': { type: 'string', default: '600' },
    'mapped-address': { type: 'string', default: '127.0.0.2' },
    'ready-file': { type: 'string' },
    'lifetime-ms': { type: 'string', default: '60000' },
  },
});
const port = Number(values.port);
const delayMs = Number(values['delay-ms']);
const mappedOctets = (values['mapped-address'] ?? '').split('.').map(Number);

/** A binding success for `request`, carrying `mappedPort` at the mapped address (XOR-encoded, as RFC 5389 has it). */
function bindingSuccess(request: Buffer, mappedPort: number): Buffer {
  const answer = Buffer.alloc(32);
  answer.writeUInt16BE(BINDING_SUCCESS, 0);
  answer.writeUInt16BE(12, 2);
  request.copy(answer, 4, 4, 20); // magic cookie and transaction id
  answer.writeUInt16BE(XOR_MAPPED_ADDRESS, 20);
  answer.writeUInt16BE(8, 22);
  answer.writeUInt8(0x01, 25); // IPv4
  answer.writeUInt16BE(mappedPort ^ (MAGIC_COOKIE >>> 16), 26);
  const address = ((mappedOctets[0]! << 24) | (mappedOctets[1]! << 16) | (mappedOctets[2]! << 8) | mappedOctets[3]!) >>> 0;
  answer.writeUInt32BE((address ^ MAGIC_COOKIE) >>> 0, 28);
  return answer;
}

const socket = createSocket('udp4');
let answers = 0;
let idleTimer: ReturnType<typeof setTimeout> | undefined;
const exit = (): void => {
  process.stdout.write(`${JSON.stringify({ answers })}\n`);
  socket.close();
  process.exit(0);
};
setTimeout(exit, Number(values['lifetime-ms'])).unref();

socket.on('message', (message, from) => {
  if (message.length < 20 || message.readUInt16BE(0) !== BINDING_REQUEST || message.readUInt32BE(4) !== MAGIC_COOKIE) return;
  setTimeout(() => {
    socket.send(bindingSuccess(message, from.port), from.port, from.address);
    answers++;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(exit, IDLE_EXIT_MS);
  }, delayMs);
});
socket.bind(port, '127.0.0.1', () => {
  if (values['ready-file']) writeFileSync(values['ready-file'], 'ready');
});
