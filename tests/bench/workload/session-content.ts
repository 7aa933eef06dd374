/**
 * What a call's signaling carries, shaped like a desktop Chrome video call: an offer of about 5 KB
 * (audio and video, a full codec list), a smaller answer, and each side's ICE candidates in two
 * bursts (host candidates at once; server-reflexive and relay ones after a STUN/TURN round trip).
 * Every offer, answer and candidate carries a tag, so a receiver can tell which send it matches.
 */

export interface Candidate {
  candidate: string;
  sdpMid: string;
  sdpMLineIndex: number;
}

export type Side = 'caller' | 'callee';

/** Bytes the SDPs aim at (each lands within one codec block above). */
export const OFFER_SDP_BYTES = 5_000;
export const ANSWER_SDP_BYTES = 4_000;

const CRLF = '\r\n';

/** Video codecs as Chrome lists them, each followed by its retransmission payload type. */
const VIDEO_CODECS: readonly { name: string; fmtp?: string }[] = [
  { name: 'VP8' },
  { name: 'VP9', fmtp: 'profile-id=0' },
  { name: 'VP9', fmtp: 'profile-id=2' },
  { name: 'H264', fmtp: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f' },
  { name: 'H264', fmtp: 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f' },
  { name: 'H264', fmtp: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f' },
  { name: 'H264', fmtp: 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f' },
  { name: 'H264', fmtp: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f' },
  { name: 'H264', fmtp: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f' },
  { name: 'AV1', fmtp: 'level-idx=5;profile=0;tier=0' },
  { name: 'H265', fmtp: 'level-id=93;profile-id=1;tier-flag=0;tx-mode=SRST' },
];

/** A deterministic pseudo-random string of `length` from `seed` (SDP credentials look random). */
function token(seed: string, length: number, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'): string {
  let state = 2166136261;
  for (const char of seed) state = Math.imul(state ^ char.charCodeAt(0), 16777619) >>> 0;
  let out = '';
  for (let i = 0; i < length; i++) {
    state = Math.imul(state ^ (state >>> 15), 2246822507) >>> 0;
    state = (state + 0x6d2b79f5) >>> 0;
    out += alphabet[state % alphabet.length];
  }
  return out;
}

function mediaHeader(tag: string, mid: string, role: 'actpass' | 'active'): string[] {
  const fingerprint = token(`${tag}fp`, 64, '0123456789ABCDEF').replace(/(..)(?!$)/g, '$1:');
  return [
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    `a=ice-ufrag:${token(`${tag}u`, 4)}`,
    `a=ice-pwd:${token(`${tag}p`, 24)}`,
    'a=ice-options:trickle',
    `a=fingerprint:sha-256 ${fingerprint}`,
    `a=setup:${role}`,
    `a=mid:${mid}`,
  ];
}

/**
 * A session description of about `targetBytes`, with `tag` as its session id (the `o=` line), so
 * the receiver can find it again.
 */
export function sessionDescription(kind: 'offer' | 'answer', tag: string, targetBytes: number): string {
  const stream = token(`${tag}s`, 36);
  const ssrc = (offset: number): number => 100_000_000 + (Number.parseInt(token(`${tag}r${offset}`, 8, '0123456789'), 10) % 900_000_000);
  const cname = token(`${tag}c`, 16);
  const role = kind === 'offer' ? 'actpass' : 'active';
  const head = [
    'v=0',
    `o=- ${tag} 2 IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    'a=group:BUNDLE 0 1',
    'a=extmap-allow-mixed',
    `a=msid-semantic: WMS ${stream}`,
  ];
  const audio = [
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
    ...mediaHeader(tag, '0', role),
    'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
    'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
    'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
    'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
    'a=sendrecv',
    `a=msid:${stream} ${token(`${tag}a`, 36)}`,
    'a=rtcp-mux',
    'a=rtpmap:111 opus/48000/2',
    'a=rtcp-fb:111 transport-cc',
    'a=fmtp:111 minptime=10;useinbandfec=1',
    'a=rtpmap:63 red/48000/2',
    'a=fmtp:63 111/111',
    'a=rtpmap:9 G722/8000',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:13 CN/8000',
    'a=rtpmap:110 telephone-event/48000',
    'a=rtpmap:126 telephone-event/8000',
    `a=ssrc:${ssrc(1)} cname:${cname}`,
    `a=ssrc:${ssrc(1)} msid:${stream} ${token(`${tag}a`, 36)}`,
  ];
  const videoAttributes = [
    ...mediaHeader(tag, '1', role),
    'a=extmap:14 urn:ietf:params:rtp-hdrext:toffset',
    'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
    'a=extmap:13 urn:3gpp:video-orientation',
    'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
    'a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay',
    'a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/video-content-type',
    'a=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/video-timing',
    'a=extmap:8 http://www.webrtc.org/experiments/rtp-hdrext/color-space',
    'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
    'a=sendrecv',
    `a=msid:${stream} ${token(`${tag}v`, 36)}`,
    'a=rtcp-mux',
    'a=rtcp-rsize',
  ];
  const videoTail = [
    `a=ssrc-group:FID ${ssrc(2)} ${ssrc(3)}`,
    `a=ssrc:${ssrc(2)} cname:${cname}`,
    `a=ssrc:${ssrc(2)} msid:${stream} ${token(`${tag}v`, 36)}`,
    `a=ssrc:${ssrc(3)} cname:${cname}`,
    `a=ssrc:${ssrc(3)} msid:${stream} ${token(`${tag}v`, 36)}`,
  ];

  const payloadTypes: number[] = [];
  const codecLines: string[] = [];
  const lineBytes = (lines: readonly string[]): number => lines.reduce((sum, line) => sum + line.length + CRLF.length, 0);
  const mediaLine = 'm=video 9 UDP/TLS/RTP/SAVPF';
  let bytes = lineBytes([...head, ...audio, ...videoAttributes, ...videoTail, mediaLine]);
  // Codecs until the target is reached, as a browser with more codecs would offer more.
  for (let index = 0; bytes < targetBytes && index < 64; index++) {
    const codec = VIDEO_CODECS[index % VIDEO_CODECS.length]!;
    const pt = 96 + 2 * index;
    payloadTypes.push(pt, pt + 1);
    const block = [
      `a=rtpmap:${pt} ${codec.name}/90000`,
      `a=rtcp-fb:${pt} goog-remb`,
      `a=rtcp-fb:${pt} transport-cc`,
      `a=rtcp-fb:${pt} ccm fir`,
      `a=rtcp-fb:${pt} nack`,
      `a=rtcp-fb:${pt} nack pli`,
      ...(codec.fmtp ? [`a=fmtp:${pt} ${codec.fmtp}`] : []),
      `a=rtpmap:${pt + 1} rtx/90000`,
      `a=fmtp:${pt + 1} apt=${pt}`,
    ];
    codecLines.push(...block);
    bytes += lineBytes(block) + ` ${pt} ${pt + 1}`.length;
  }
  const video = [`${mediaLine} ${payloadTypes.join(' ')}`, ...videoAttributes, ...codecLines, ...videoTail];
  return [...head, ...audio, ...video].join(CRLF) + CRLF;
}

/**
 * `sdp` with `candidates` written into it as a browser's local description lists them once
 * gathered (half-trickle): `a=candidate:` lines at the end of the media section they belong to
 * (`sdpMid`), without the `ufrag` an `icecandidate` event adds.
 */
export function withCandidates(sdp: string, candidates: readonly Candidate[]): string {
  const sections = sdp.split(/(?=\r\nm=)/);
  return sections
    .map((section) => {
      const mid = /\r\na=mid:(\S+)/.exec(section)?.[1];
      const lines = candidates
        .filter((candidate) => candidate.sdpMid === mid)
        .map((candidate) => `\r\na=${candidate.candidate.replace(/ ufrag \S+/, '')}`);
      return section.replace(/(\r\n)?$/, (ending) => `${lines.join('')}${ending}`);
    })
    .join('');
}

/** The session id a description was tagged with. */
export function sessionTagOf(sdp: string): string | undefined {
  return /^o=- (\S+) /m.exec(sdp)?.[1];
}

/**
 * One side's candidates in the order a browser finds them, as two bursts: host candidates at once,
 * then server-reflexive and relay after the STUN/TURN round trip (well past a 60 ms batching window).
 * Each candidate's `ufrag` is a tag unique to it.
 */
export function candidateBursts(callTag: string, side: Side): Candidate[][] {
  const octet = side === 'caller' ? 20 : 30;
  const tag = (n: number): string => `${callTag}-${side === 'caller' ? 'a' : 'b'}${n}`;
  const line = (n: number, body: string): Candidate => ({
    candidate: `candidate:${body} generation 0 ufrag ${tag(n)} network-id 1 network-cost 10`,
    sdpMid: '0',
    sdpMLineIndex: 0,
  });
  return [
    [
      line(1, `1467250027 1 udp 2122260223 192.168.1.${octet} 50713 typ host`),
      line(2, `435653019 1 tcp 1518280447 192.168.1.${octet} 9 typ host tcptype active`),
    ],
    [
      line(3, `842163049 1 udp 1686052607 203.0.113.${octet} 50713 typ srflx raddr 192.168.1.${octet} rport 50713`),
      line(4, `3351229561 1 udp 41885439 198.51.100.9 6${octet}34 typ relay raddr 203.0.113.${octet} rport 50713`),
    ],
  ];
}

/** The tag of a candidate line (its `ufrag`). */
export function candidateTagOf(candidate: string): string | undefined {
  return / ufrag (\S+)/.exec(candidate)?.[1];
}
