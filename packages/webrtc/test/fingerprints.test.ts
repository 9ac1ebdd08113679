import { describe, expect, it } from 'vitest';
import { fingerprintsOf, linkFingerprints } from '../src/fingerprints';
import type { SimplePeerInstance } from '../src/types';

const FP1 = 'FA:1E:A5:D1:90:DD:3E:A0:37:2F:74:4E:8D:F3:AA:26:5E:D6:A7:83:5F:11:AB:0F:77:E3:2E:16:76:61:12:D5';
const FP2 = '97:CB:97:EB:76:2B:9B:EF:D6:16:74:C8:C4:DF:F4:45:F2:5F:D1:35:0E:4D:5C:40:58:30:75:89:5D:1F:95:F5';

describe('fingerprintsOf', () => {
  it('collects session and media level lines, normalised, deduplicated and sorted', () => {
    const sdp = [
      'v=0',
      `a=fingerprint:SHA-256 ${FP2.toLowerCase()}`,
      'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
      `a=fingerprint:sha-256 ${FP2}`,
      `a=fingerprint:sha-1 ${FP1.slice(0, 59)}`,
      '',
    ].join('\r\n');
    expect(fingerprintsOf(sdp)).toBe(`sha-1 ${FP1.slice(0, 59)}\nsha-256 ${FP2}`);
  });

  it('is null without fingerprints or without an SDP string', () => {
    expect(fingerprintsOf('v=0\r\na=setup:actpass\r\n')).toBeNull();
    expect(fingerprintsOf(undefined)).toBeNull();
  });
});

describe('linkFingerprints', () => {
  const sdp = (fp: string) => `v=0\r\na=fingerprint:sha-256 ${fp}\r\n`;
  const peerWith = (pc: unknown) => ({ _pc: pc }) as unknown as SimplePeerInstance;

  it('prefers the peer connection descriptions', () => {
    const peer = peerWith({ localDescription: { sdp: sdp(FP1) }, currentRemoteDescription: { sdp: sdp(FP2) } });
    expect(linkFingerprints(peer, { localSdp: sdp(FP2), remoteSdp: sdp(FP1) })).toEqual({
      local: `sha-256 ${FP1}`,
      remote: `sha-256 ${FP2}`,
    });
  });

  it('falls back to the exchanged SDP, and is null if a side is unknown', () => {
    expect(linkFingerprints(peerWith(null), { localSdp: sdp(FP1), remoteSdp: sdp(FP2) })).toEqual({
      local: `sha-256 ${FP1}`,
      remote: `sha-256 ${FP2}`,
    });
    expect(linkFingerprints(peerWith({ localDescription: { sdp: sdp(FP1) } }), { localSdp: null, remoteSdp: null })).toBeNull();
  });
});
