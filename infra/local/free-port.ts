/** A port free for both UDP and TCP on one address (a TURN server listens on both). */
import { createSocket } from 'node:dgram';
import { createServer, isIPv6 } from 'node:net';

function udpPort(address: string, port: number): Promise<{ port: number; release: () => void }> {
  const socket = createSocket(isIPv6(address) ? 'udp6' : 'udp4');
  return new Promise((resolvePort, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => resolvePort({ port: socket.address().port, release: () => socket.close() }));
  });
}

function tcpFree(address: string, port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolveFree) => {
    server.once('error', () => resolveFree(false));
    server.listen(port, address, () => server.close(() => resolveFree(true)));
  });
}

export async function freeUdpAndTcpPort(address: string, attempts = 20): Promise<number> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const udp = await udpPort(address, 0);
    const free = await tcpFree(address, udp.port);
    udp.release();
    if (free) return udp.port;
  }
  throw new Error(`no port on ${address} was free for both UDP and TCP after ${attempts} tries`);
}
