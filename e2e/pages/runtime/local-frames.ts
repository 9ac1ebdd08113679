// Test-only: post a message to another tab over the same-browser channel, as a hostile or confused
// script of this origin that knows the group key could (the runtime must drop and count it).
import { encodeMessage } from '@meshraft/core';
import { deriveLocalChannelName, deriveRoomAndAuthKey } from '@meshraft/webrtc';
import { localChannelNames } from '../../../packages/meshraft/src/runtime/local-channel';

/**
 * Posted on the channel from `via` to `to`. `frame`: a well-formed frame (a RequestVote in a
 * far-away term: accepted, it would depose the leader) claiming to come from `from`; `misaddressed`:
 * the same frame addressed to another peer; `malformed`: a message without the frame's shape.
 */
export type LocalFrameShape = 'frame' | 'misaddressed' | 'malformed';

export async function postLocalFrame(key: string, room: string, via: string, from: string, to: string, shape: LocalFrameShape): Promise<void> {
  const { authKey } = await deriveRoomAndAuthKey(key);
  const names = localChannelNames(await deriveLocalChannelName(authKey, room));
  const channel = new BroadcastChannel(names.link(via, to));
  const bytes = encodeMessage({ type: 'RequestVote', term: 1_000_000, lastLogIndex: 1_000_000, lastLogTerm: 1_000_000 });
  const frame = { kind: 'frame', from, to, bytes: bytes.slice().buffer };
  if (shape === 'misaddressed') frame.to = `${to}-other`;
  channel.postMessage(shape === 'malformed' ? { ...frame, bytes: 'not bytes' } : frame);
  channel.close();
}
