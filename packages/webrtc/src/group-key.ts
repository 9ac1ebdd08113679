// From the group key to the two values the mesh needs: the public signaling room id and the secret
// peer authentication key.
//
// The signaling server sees room ids, and anyone who talks to a peer of ours sees a handshake proof
// (an HMAC under the auth key). Both are offline tests of a guessed key, so both are derived from one
// deliberately slow, salted stretch of the key: PBKDF2-SHA-256 with GROUP_KEY_KDF_ITERATIONS
// iterations and a per-application salt. Every guess costs that much work, and a table built for one
// application is useless for another. HKDF then splits the stretched secret into independent outputs.
import { base64url, bufferSource, lengthPrefixed, subtle, utf8 } from './bytes';

/** Shortest string key accepted, in characters (Unicode code points). */
export const GROUP_KEY_MIN_CHARS = 16;
/** Shortest byte key accepted. Byte keys are meant to be random (e.g. from crypto.getRandomValues). */
export const GROUP_KEY_MIN_BYTES = 16;
/** PBKDF2-SHA-256 iterations (the OWASP 2023 figure for this hash); part of the derivation, never change it alone. */
export const GROUP_KEY_KDF_ITERATIONS = 600_000;
/** The salt's application part when the caller gives no `appId`. */
export const DEFAULT_APP_ID = 'meshraft';

const SALT_LABEL = utf8.encode('meshraft group key v2');
const ROOM_INFO = utf8.encode('meshraft room id');
const AUTH_INFO = utf8.encode('meshraft peer auth key');
const LOCAL_CHANNEL_LABEL = utf8.encode('meshraft local channel v1');
// Names the derivation this share carries: bump it with SALT_LABEL, or tabs running an older
// derivation would hand theirs to tabs running the new one.
const DERIVATION_SHARE_LABEL = utf8.encode('meshraft derivation share v2');
const MAX_APP_ID_CHARS = 128;

/** The group key is shorter than the documented minimum (see GROUP_KEY_MIN_CHARS / GROUP_KEY_MIN_BYTES). */
export class WeakGroupKeyError extends RangeError {
  override readonly name = 'WeakGroupKeyError';
}

export interface DeriveRoomOptions {
  /**
   * Public per-application salt: two applications using the same key meet in different rooms, and
   * a guessing table built for one is useless for the other. All peers of a group must use the same
   * value. 1-128 characters; default DEFAULT_APP_ID.
   */
  appId?: string;
}

/** Checks the documented minimum strength; returns the key's bytes. */
export function groupKeyBytes(key: string | Uint8Array): Uint8Array {
  if (typeof key === 'string') {
    const chars = [...key].length;
    if (chars < GROUP_KEY_MIN_CHARS) {
      throw new WeakGroupKeyError(
        `group key has ${chars} characters; at least ${GROUP_KEY_MIN_CHARS} are required (mintGroupKey() makes a strong one)`,
      );
    }
    return utf8.encode(key);
  }
  if (key instanceof Uint8Array) {
    if (key.length < GROUP_KEY_MIN_BYTES) {
      throw new WeakGroupKeyError(
        `group key has ${key.length} bytes; at least ${GROUP_KEY_MIN_BYTES} are required (use random bytes, a string of ${GROUP_KEY_MIN_CHARS}+ characters, or mintGroupKey())`,
      );
    }
    return key;
  }
  throw new TypeError('group key must be a string or a Uint8Array');
}

function appIdOf(options: DeriveRoomOptions | undefined): string {
  const appId = options?.appId ?? DEFAULT_APP_ID;
  if (typeof appId !== 'string' || appId.length === 0 || appId.length > MAX_APP_ID_CHARS) {
    throw new TypeError(`appId must be a string of 1-${MAX_APP_ID_CHARS} characters`);
  }
  return appId;
}

/**
 * Derives the signaling room id (43 chars of base64url, public) and the peer authentication key
 * (32 bytes, secret) from the group key. Slow on purpose (one PBKDF2 run, a few hundred ms).
 * Throws WeakGroupKeyError for a key below the documented minimum, TypeError for a bad argument.
 */
export async function deriveRoomAndAuthKey(
  key: string | Uint8Array,
  options?: DeriveRoomOptions,
): Promise<{ room: string; authKey: Uint8Array }> {
  const material = groupKeyBytes(key);
  const salt = lengthPrefixed([SALT_LABEL, utf8.encode(appIdOf(options))]);
  const s = subtle();
  const password = await s.importKey('raw', bufferSource(material), 'PBKDF2', false, ['deriveBits']);
  const stretched = await s.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations: GROUP_KEY_KDF_ITERATIONS },
    password,
    256,
  );
  const base = await s.importKey('raw', stretched, 'HKDF', false, ['deriveBits']);
  const expand = async (info: Uint8Array<ArrayBuffer>): Promise<Uint8Array> =>
    new Uint8Array(await s.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info }, base, 256));
  const [roomBytes, authKey] = await Promise.all([expand(ROOM_INFO), expand(AUTH_INFO)]);
  return { room: base64url(roomBytes), authKey };
}

/**
 * The name under which the tabs of one browser profile share the result of deriveRoomAndAuthKey for
 * this key and appId (43 characters of base64url), so that only one of them spends the slow
 * stretch. It is a fast hash of the key: it must never leave the browser (no network, no storage).
 * Same-origin code of that browser profile, the only code that sees a BroadcastChannel's or Web
 * Lock's name, can read the key itself. Throws like deriveRoomAndAuthKey on a bad key or appId.
 */
export async function derivationShareName(key: string | Uint8Array, options?: DeriveRoomOptions): Promise<string> {
  const material = groupKeyBytes(key);
  const input = lengthPrefixed([DERIVATION_SHARE_LABEL, utf8.encode(appIdOf(options)), material]);
  return base64url(new Uint8Array(await subtle().digest('SHA-256', input)));
}

export const MIN_AUTH_KEY_BYTES = 16;

function checkAuthKey(authKey: Uint8Array): void {
  if (!(authKey instanceof Uint8Array) || authKey.length < MIN_AUTH_KEY_BYTES) {
    throw new RangeError(`authKey must be a Uint8Array of at least ${MIN_AUTH_KEY_BYTES} bytes`);
  }
}

/**
 * The secret name of a group's same-browser channel (a BroadcastChannel between the tabs of one
 * browser profile): HKDF-SHA-256 of the auth key, labelled apart from every other use of that key and
 * bound to the room, 43 characters of base64url. Only a holder of the group key can compute it, so
 * tabs of other groups (or other rooms of one key) never share it, and nobody can guess it; it is
 * fast, because the auth key is already the output of the slow stretch. It is not an authentication:
 * the runtime accepts a frame from that channel only from a peer that also holds an authenticated
 * link (see meshraft's runtime/local-channel.ts).
 */
export async function deriveLocalChannelName(authKey: Uint8Array, room: string): Promise<string> {
  checkAuthKey(authKey);
  if (typeof room !== 'string' || room.length === 0) throw new TypeError('room must be a non-empty string');
  const s = subtle();
  const base = await s.importKey('raw', bufferSource(authKey), 'HKDF', false, ['deriveBits']);
  const info = lengthPrefixed([LOCAL_CHANNEL_LABEL, utf8.encode(room)]);
  const bits = await s.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info }, base, 256);
  return base64url(new Uint8Array(bits));
}

/** Imports the auth key once per mesh. */
export async function importAuthKey(authKey: Uint8Array): Promise<CryptoKey> {
  checkAuthKey(authKey);
  return subtle().importKey('raw', bufferSource(authKey), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}
