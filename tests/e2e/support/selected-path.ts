/** The path a live call's media takes, read from the browser's own statistics (getStats). */
import type { UserPage } from './user-page';

export interface CandidateFacts {
  /** `host`, `srflx`, `prflx` or `relay`. */
  type: string;
  address: string;
  /** For a relay candidate: the address the TURN server saw this browser at. */
  relatedAddress: string | undefined;
}

export interface MediaPath {
  local: CandidateFacts;
  remote: CandidateFacts;
  /** The local ICE username fragment: a new one after every ICE restart. */
  localUfrag: string | undefined;
}

/** The selected candidate pair of the page's newest peer connection, once it has one. */
export async function selectedPath(user: UserPage): Promise<MediaPath | undefined> {
  return user.page.evaluate(async () => {
    const pc = window.__peerConnections.at(-1);
    if (!pc) return undefined;
    type Report = {
      id: string;
      type: string;
      selectedCandidatePairId?: string;
      localCandidateId?: string;
      remoteCandidateId?: string;
      candidateType?: string;
      address?: string;
      relatedAddress?: string;
      usernameFragment?: string;
    };
    const reports = new Map<string, Report>();
    (await pc.getStats()).forEach((report: Report) => {
      reports.set(report.id, report);
    });
    const transport = [...reports.values()].find((report) => report.type === 'transport' && report.selectedCandidatePairId);
    const pair = transport?.selectedCandidatePairId ? reports.get(transport.selectedCandidatePairId) : undefined;
    const local = pair?.localCandidateId ? reports.get(pair.localCandidateId) : undefined;
    const remote = pair?.remoteCandidateId ? reports.get(pair.remoteCandidateId) : undefined;
    if (!local || !remote) return undefined;
    const facts = (candidate: Report) => ({
      type: candidate.candidateType ?? '',
      address: candidate.address ?? '',
      relatedAddress: candidate.relatedAddress,
    });
    const ufrag = /a=ice-ufrag:(\S+)/.exec(pc.localDescription?.sdp ?? '')?.[1];
    return { local: facts(local), remote: facts(remote), localUfrag: ufrag };
  });
}

/** Decoded inbound video frames so far on the page's newest peer connection. */
export async function framesDecoded(user: UserPage): Promise<number> {
  return (await user.media())?.inboundVideoFrames ?? 0;
}

/** One line on the page's ICE and video: states, credentials, candidates, pairs, RTP counters, for a failure report. */
export async function iceReport(user: UserPage): Promise<string> {
  return user.page.evaluate(async () => {
    const pc = window.__peerConnections.at(-1);
    if (!pc) return 'no peer connection';
    const parts: string[] = [];
    type Report = {
      type: string;
      kind?: string;
      candidateType?: string;
      address?: string;
      port?: number;
      state?: string;
      packetsReceived?: number;
      framesReceived?: number;
      framesDecoded?: number;
      keyFramesDecoded?: number;
      pliCount?: number;
      packetsSent?: number;
      framesEncoded?: number;
      keyFramesEncoded?: number;
      qualityLimitationReason?: string;
      targetBitrate?: number;
    };
    (await pc.getStats()).forEach((report: Report) => {
      if (report.type === 'local-candidate' || report.type === 'remote-candidate')
        parts.push(`${report.type === 'local-candidate' ? 'local' : 'remote'} ${report.candidateType} ${report.address}:${report.port}`);
      if (report.type === 'candidate-pair') parts.push(`pair ${report.state}`);
      if (report.type === 'inbound-rtp' && report.kind === 'video')
        parts.push(
          `video in: ${report.packetsReceived} packets, ${report.framesReceived} frames, ${report.framesDecoded} decoded (${report.keyFramesDecoded} key), ${report.pliCount} PLI sent`,
        );
      if (report.type === 'outbound-rtp' && report.kind === 'video')
        parts.push(
          `video out: ${report.packetsSent} packets, ${report.framesEncoded} frames (${report.keyFramesEncoded} key), ${report.pliCount} PLI received, limited by ${report.qualityLimitationReason}, target ${report.targetBitrate} bit/s`,
        );
    });
    const ufrag = (sdp: string | undefined) => /a=ice-ufrag:(\S+)/.exec(sdp ?? '')?.[1];
    for (const transceiver of pc.getTransceivers()) {
      const track = transceiver.sender.track;
      parts.push(
        `transceiver ${transceiver.mid} ${transceiver.direction} (now ${transceiver.currentDirection}), sending ${track ? `${track.kind} ${track.readyState}${track.enabled ? '' : ' disabled'}` : 'nothing'}`,
      );
    }
    return [
      `${pc.connectionState}/${pc.iceConnectionState}/${pc.iceGatheringState}/${pc.signalingState}`,
      `ufrag ${ufrag(pc.localDescription?.sdp)} (remote ${ufrag(pc.remoteDescription?.sdp)})`,
      ...parts,
    ].join('; ');
  });
}
