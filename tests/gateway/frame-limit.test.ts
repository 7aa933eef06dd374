/** The per-frame limit (32 KB) is read from raw client bytes: frame headers, split anywhere. */
import { describe, expect, it } from 'vitest';
import { FrameLimitScanner } from '../../infra/local/frame-limit';

const LIMIT = 32 * 1024;
const TEXT = 0x1;
const CONTINUATION = 0x0;
const PING = 0x9;

/** A masked client frame (RFC 6455 §5.2) with a zero-filled payload. */
function clientFrame(payloadBytes: number, { opcode = TEXT, fin = true } = {}): Uint8Array {
  const lengthBytes = payloadBytes < 126 ? 0 : payloadBytes <= 0xffff ? 2 : 8;
  const header = new Uint8Array(2 + lengthBytes + 4);
  header[0] = (fin ? 0x80 : 0) | opcode;
  const view = new DataView(header.buffer);
  if (lengthBytes === 0) header[1] = 0x80 | payloadBytes;
  else if (lengthBytes === 2) {
    header[1] = 0x80 | 126;
    view.setUint16(2, payloadBytes);
  } else {
    header[1] = 0x80 | 127;
    view.setBigUint64(2, BigInt(payloadBytes));
  }
  header.set([1, 2, 3, 4], 2 + lengthBytes);
  const frame = new Uint8Array(header.length + payloadBytes);
  frame.set(header);
  return frame;
}

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const all = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
};

/** Feeds `bytes` in chunks of `size` and returns the first report. */
function scanInChunks(bytes: Uint8Array, size: number) {
  const scanner = new FrameLimitScanner(LIMIT);
  for (let at = 0; at < bytes.length; at += size) {
    const found = scanner.push(bytes.subarray(at, at + size));
    if (found) return found;
  }
  return undefined;
}

describe('frame limit scanner', () => {
  it('lets a frame of exactly 32 KB through and reports one byte more', () => {
    expect(scanInChunks(clientFrame(LIMIT), 4096)).toBeUndefined();
    expect(scanInChunks(clientFrame(LIMIT + 1), 4096)).toEqual({ payloadBytes: LIMIT + 1, messagesBefore: 0 });
  });

  it('reads 7-bit, 16-bit and 64-bit payload lengths', () => {
    expect(scanInChunks(concat(clientFrame(10), clientFrame(300), clientFrame(70_000)), 1 << 20)).toEqual({
      payloadBytes: 70_000,
      messagesBefore: 2,
    });
    const empty = clientFrame(0);
    // A 64-bit length far past any limit, with no payload following.
    const declared = new Uint8Array([0x81, 0x80 | 127, 0, 0, 1, 0, 0, 0, 0, 0, 9, 9, 9, 9]);
    expect(scanInChunks(concat(empty, declared), 3)?.payloadBytes).toBe(2 ** 40);
  });

  it('finds the oversized frame whatever the chunking, down to one byte at a time', () => {
    const stream = concat(clientFrame(100), clientFrame(LIMIT), clientFrame(5), clientFrame(LIMIT + 10));
    for (const size of [1, 2, 3, 7, 13, 1000, stream.length]) {
      expect(scanInChunks(stream, size), `chunks of ${size}`).toEqual({ payloadBytes: LIMIT + 10, messagesBefore: 3 });
    }
  });

  it('counts fragmented messages once and control frames not at all', () => {
    const stream = concat(
      clientFrame(20_000, { fin: false }),
      clientFrame(0, { opcode: PING }),
      clientFrame(20_000, { opcode: CONTINUATION }),
      clientFrame(4, { opcode: PING }),
      clientFrame(1_000),
      clientFrame(LIMIT + 1, { opcode: CONTINUATION, fin: false }),
    );
    expect(scanInChunks(stream, 999)).toEqual({ payloadBytes: LIMIT + 1, messagesBefore: 2 });
  });

  it('reports the oversized frame once, then ignores what follows', () => {
    const scanner = new FrameLimitScanner(LIMIT);
    expect(scanner.push(clientFrame(LIMIT + 1).subarray(0, 8))).toBeDefined();
    expect(scanner.push(clientFrame(LIMIT + 5))).toBeUndefined();
    expect(scanner.oversized?.payloadBytes).toBe(LIMIT + 1);
  });

  it('reports nothing for a stream of frames within the limit', () => {
    const stream = concat(...Array.from({ length: 50 }, (_, i) => clientFrame(i * 600)));
    expect(scanInChunks(stream, 1500)).toBeUndefined();
  });
});
