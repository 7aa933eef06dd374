/**
 * Asks a STUN server for a binding (RFC 5389) over UDP and says whether it answered: how the
 * gateway knows its TURN server is listening, whatever that server prints.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';

const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const MAGIC_COOKIE = 0x2112a442;

export function stunAnswers(address: string, port: number, timeoutMs: number): Promise<boolean> {
  const transaction = randomBytes(12);
  const request = Buffer.alloc(20);
  request.writeUInt16BE(BINDING_REQUEST, 0);
  request.writeUInt16BE(0, 2);
  request.writeUInt32BE(MAGIC_COOKIE, 4);
  transaction.copy(request, 8);
  const socket = createSocket(isIPv6(address) ? 'udp6' : 'udp4');
  return new Promise((resolveProbe) => {
    const finish = (answered: boolean): void => {
      clearTimeout(timer);
      socket.close();
      resolveProbe(answered);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('error', () => finish(false));
    socket.on('message', (message) => {
      if (message.length >= 20 && message.readUInt16BE(0) === BINDING_SUCCESS && message.subarray(8, 20).equals(transaction)) finish(true);
    });
    socket.send(request, port, address);
  });
}
