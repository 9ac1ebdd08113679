// createGroup() options and their validation. Shared by the browser and Node entries.
// Every bad option is reported as an InvalidInputError naming the option, before anything starts;
// a key below the minimum strength as a WeakGroupKeyError.
import { groupKeyBytes, WeakGroupKeyError } from '@meshraft/webrtc';
import type { StorageDurability } from '@meshraft/idb';
import { isPeerId, PEER_ID_PATTERN } from './peer-id';
import {
  InvalidInputError,
  resolveConfig,
  type LeadershipPreference,
  type Membership,
  type PeerId,
  type RaftConfig,
  type StateMachine,
  type Storage,
} from '@meshraft/core';

/** Where the Raft log lives: IndexedDB (browser default), memory (Node default), or a custom Storage. */
export type StorageOption = 'indexeddb' | 'memory' | Storage;

export interface CreateGroupOptions<Cmd = unknown, Q = unknown, QR = unknown, R = unknown> {
  /**
   * The group secret: at least 16 characters (or 16 random bytes); `mintGroupKey()` makes a strong one
   * and `formatInviteLink()` shares it in a URL fragment. The signaling room id and the peer auth key
   * are derived from it (slowly, salted with `appId`); it never leaves the peer. A shorter key throws
   * WeakGroupKeyError.
   */
  key: string | Uint8Array;
  /**
   * Public per-application salt for deriving the room id and auth key (default 'meshraft'). Two apps
   * using the same key meet in different rooms. Every peer of a group must use the same value.
   */
  appId?: string;
  /** URL of the socket.io signaling server, e.g. 'http://localhost:8787'. */
  signaling: string;
  /** The replicated state machine; `apply` must be deterministic. What it returns is execute()'s `result`. */
  stateMachine: StateMachine<Cmd, Q, R, QR>;
  /**
   * Where the Raft log lives: 'indexeddb' (the browser default: a slot of the browser profile that
   * outlives the tab), 'memory' (the Node default: gone with the process) or a custom Storage.
   */
  storage?: StorageOption;
  /**
   * IndexedDB storage only: when a write counts as stored, and so when this peer may acknowledge
   * it (docs/architecture.md, "Storage"). 'relaxed' (default): once the browser handed it to the
   * operating system; it survives a tab or browser crash, not an operating-system crash or a power
   * loss. 'strict': once it was flushed to the disk; it survives those too, and every write waits
   * for a disk flush.
   */
  durability?: StorageDurability;
  preference?: LeadershipPreference;
  config?: Partial<RaftConfig>;
  /** ICE servers for WebRTC; none are needed between tabs of one machine. */
  iceServers?: RTCIceServer[];
  /** Force this peer id instead of the per-tab identity (tests, Node processes with a stable name). */
  peerId?: PeerId;
  /**
   * Force the bootstrap decision. `true`: start a one-member configuration if the local log is empty;
   * `false`: never bootstrap, wait to be added; a Membership: start from that configuration (static
   * membership, all peers must agree). Default: bootstrap iff the signaling room was empty on join.
   */
  bootstrap?: boolean | Membership;
  /** Browser only: run the engine in a dedicated Worker (default true). */
  worker?: boolean;
  /**
   * Browser only, with the engine in a Worker: Raft frames to tabs of the same browser profile go over
   * a BroadcastChannel straight into their engine Worker instead of a WebRTC data channel (default
   * true). Only to peers the mesh holds an authenticated link to; `false`: data channels only.
   */
  localChannel?: boolean;
  /**
   * @deprecated Ignored. A closing tab always departs now (pagehide): it is removed from the group at
   * once, and a reload comes back as a new identity on the same local data. Kept so that existing
   * code still type-checks; see CHANGELOG.md.
   */
  leaveOnPageHide?: boolean;
  /** Test-only knobs; never set in applications. */
  testing?: TestingOptions;
}

export interface TestingOptions {
  /**
   * Join this signaling room instead of the one derived from the key, keeping the key-derived auth
   * key. Lets a test put a wrong-key peer into the same room to prove the HMAC handshake rejects it.
   */
  room?: string;
}

/** Options after validation, with defaults filled in. */
export interface ResolvedOptions<Cmd, Q, QR, R = unknown> {
  keyBytes: Uint8Array;
  appId: string | undefined;
  signaling: string;
  stateMachine: StateMachine<Cmd, Q, R, QR>;
  storage: StorageOption;
  /** The IndexedDB durability hint ('relaxed' unless given; only with 'indexeddb' storage). */
  durability: StorageDurability;
  preference: LeadershipPreference;
  config: RaftConfig;
  /** The user's partial config, as given (what crosses to the worker). */
  configOverrides: Partial<RaftConfig>;
  iceServers: RTCIceServer[];
  peerId: PeerId | undefined;
  bootstrap: boolean | Membership | undefined;
  worker: boolean;
  /** Use the same-browser channel (only with `worker`). */
  localChannel: boolean;
  leaveOnPageHide: boolean;
  testing: TestingOptions;
}

function fail(message: string): never {
  throw new InvalidInputError(`createGroup: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * The group key, checked against the documented minimum strength (WeakGroupKeyError: the room id
 * the signaling server sees must not be open to a dictionary attack).
 */
function validateKey(key: unknown): Uint8Array {
  if (typeof key !== 'string' && !(key instanceof Uint8Array)) fail(`\`key\` must be a string or Uint8Array, got ${describe(key)}`);
  try {
    return groupKeyBytes(key).slice();
  } catch (error) {
    // Its own type (documented on `key`), so an app can tell "ask the user for a longer key" apart.
    if (error instanceof WeakGroupKeyError) throw new WeakGroupKeyError(`createGroup: \`key\` is too weak: ${error.message}`);
    return fail(`\`key\` is not usable: ${(error as Error).message}`);
  }
}

function validateAppId(appId: unknown): string | undefined {
  if (appId === undefined) return undefined;
  if (typeof appId !== 'string' || appId.length === 0 || appId.length > 128) fail('`appId` must be a string of 1-128 characters');
  return appId;
}

function validateSignaling(url: unknown): string {
  if (typeof url !== 'string' || url.length === 0) fail(`\`signaling\` must be a URL string, got ${describe(url)}`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail(`\`signaling\` is not a valid URL: ${JSON.stringify(url)}`);
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(parsed.protocol)) {
    fail(`\`signaling\` must be an http(s) or ws(s) URL, got ${JSON.stringify(url)}`);
  }
  return url;
}

function validateStateMachine(sm: unknown): void {
  if (!isRecord(sm)) fail(`\`stateMachine\` must be an object with apply() and query(), got ${describe(sm)}`);
  if (typeof sm.apply !== 'function') fail('`stateMachine.apply` must be a function');
  if (typeof sm.query !== 'function') fail('`stateMachine.query` must be a function');
  const hasSnapshot = typeof sm.snapshot === 'function';
  const hasRestore = typeof sm.restore === 'function';
  if (hasSnapshot !== hasRestore) fail('`stateMachine` must define both snapshot() and restore(), or neither');
}

/** The durability hint: only IndexedDB storage takes one (memory has no disk, a custom Storage its own rules). */
function validateDurability(durability: unknown, storage: StorageOption): StorageDurability {
  if (durability === undefined) return 'relaxed';
  if (durability !== 'relaxed' && durability !== 'strict') fail(`\`durability\` must be 'relaxed' or 'strict', got ${describe(durability)}`);
  if (storage !== 'indexeddb') fail(`\`durability\` applies to 'indexeddb' storage only, not to ${typeof storage === 'string' ? `'${storage}'` : 'a custom Storage'}`);
  return durability;
}

function validateStorage(storage: unknown, environment: 'browser' | 'node'): StorageOption {
  if (storage === undefined) return environment === 'browser' ? 'indexeddb' : 'memory';
  if (storage === 'indexeddb') {
    if (environment === 'node') fail("`storage: 'indexeddb'` is only available in browsers; use 'memory' or a custom Storage");
    return storage;
  }
  if (storage === 'memory') return storage;
  if (isRecord(storage)) {
    for (const method of ['load', 'persist', 'termAt', 'entries', 'last', 'hardState', 'snapshot', 'close']) {
      if (typeof storage[method] !== 'function') fail(`custom \`storage\` is missing method ${method}()`);
    }
    return storage as unknown as Storage;
  }
  return fail(`\`storage\` must be 'indexeddb', 'memory' or a Storage object, got ${describe(storage)}`);
}

function validatePreference(preference: unknown): LeadershipPreference {
  if (preference === undefined) return 'normal';
  if (preference === 'normal' || preference === 'observer') return preference;
  if (isRecord(preference) && typeof preference.reluctant === 'number') {
    const factor = preference.reluctant;
    if (!Number.isFinite(factor) || factor < 1) fail(`\`preference.reluctant\` must be a finite number >= 1, got ${factor}`);
    return { reluctant: factor };
  }
  return fail(`\`preference\` must be 'normal', 'observer' or { reluctant: number }, got ${describe(preference)}`);
}

function validateConfig(config: unknown): { config: RaftConfig; overrides: Partial<RaftConfig> } {
  if (config !== undefined && !isRecord(config)) fail(`\`config\` must be an object, got ${describe(config)}`);
  const overrides = (config ?? {}) as Partial<RaftConfig>;
  try {
    return { config: resolveConfig(overrides), overrides: { ...overrides } };
  } catch (error) {
    return fail(`invalid \`config\`: ${(error as Error).message}`);
  }
}

function validatePeerId(peerId: unknown): PeerId | undefined {
  if (peerId === undefined) return undefined;
  if (!isPeerId(peerId)) {
    fail(`\`peerId\` must match ${PEER_ID_PATTERN} (1-64 of letters, digits, _ -) and not be a name of Object.prototype (such as __proto__), got ${describe(peerId)}`);
  }
  return peerId;
}

function validateBootstrap(bootstrap: unknown): boolean | Membership | undefined {
  if (bootstrap === undefined || typeof bootstrap === 'boolean') return bootstrap;
  if (isRecord(bootstrap) && Array.isArray(bootstrap.voters)) {
    const voters = bootstrap.voters;
    const learners = bootstrap.learners ?? [];
    if (!Array.isArray(learners)) fail('`bootstrap.learners` must be an array of peer ids');
    for (const id of [...voters, ...learners]) {
      if (!isPeerId(id)) fail(`\`bootstrap\` holds an invalid peer id: ${describe(id)}`);
    }
    if (voters.length === 0) fail('`bootstrap.voters` must name at least one voter');
    return { voters: [...voters] as PeerId[], learners: [...learners] as PeerId[] };
  }
  return fail(`\`bootstrap\` must be a boolean or { voters, learners }, got ${describe(bootstrap)}`);
}

function validateIceServers(iceServers: unknown): RTCIceServer[] {
  if (iceServers === undefined) return [];
  if (!Array.isArray(iceServers)) fail('`iceServers` must be an array of RTCIceServer');
  for (const server of iceServers) {
    if (!isRecord(server) || (typeof server.urls !== 'string' && !Array.isArray(server.urls))) {
      fail('every entry of `iceServers` needs `urls` (string or string[])');
    }
  }
  return iceServers as RTCIceServer[];
}

function validateTesting(testing: unknown): TestingOptions {
  if (testing === undefined) return {};
  if (!isRecord(testing)) fail('`testing` must be an object');
  if (testing.room !== undefined && (typeof testing.room !== 'string' || !/^[A-Za-z0-9_-]{16,128}$/.test(testing.room))) {
    fail('`testing.room` must be 16-128 of letters, digits, _ -');
  }
  return { room: testing.room as string | undefined };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? JSON.stringify(value) : typeof value;
}

/** Checks every option; throws InvalidInputError with a message naming the first bad one. */
export function validateOptions<Cmd, Q, QR, R>(
  options: CreateGroupOptions<Cmd, Q, QR, R>,
  environment: 'browser' | 'node',
): ResolvedOptions<Cmd, Q, QR, R> {
  if (!isRecord(options)) fail(`options must be an object, got ${describe(options)}`);
  const keyBytes = validateKey(options.key);
  const signaling = validateSignaling(options.signaling);
  validateStateMachine(options.stateMachine);
  const { config, overrides } = validateConfig(options.config);
  if (options.worker !== undefined && typeof options.worker !== 'boolean') fail('`worker` must be a boolean');
  if (options.localChannel !== undefined && typeof options.localChannel !== 'boolean') fail('`localChannel` must be a boolean');
  if (options.leaveOnPageHide !== undefined && typeof options.leaveOnPageHide !== 'boolean') fail('`leaveOnPageHide` must be a boolean');
  const storage = validateStorage(options.storage, environment);
  // A custom Storage object cannot be posted to a Worker: it runs with the engine on this thread.
  const customStorage = typeof storage === 'object';
  if (customStorage && options.worker === true) fail('a custom `storage` object cannot run in a Worker; pass `worker: false`');
  const durability = validateDurability(options.durability, storage);
  return {
    keyBytes,
    appId: validateAppId(options.appId),
    signaling,
    stateMachine: options.stateMachine,
    storage,
    durability,
    preference: validatePreference(options.preference),
    config,
    configOverrides: overrides,
    iceServers: validateIceServers(options.iceServers),
    peerId: validatePeerId(options.peerId),
    bootstrap: validateBootstrap(options.bootstrap),
    worker: environment === 'browser' ? options.worker ?? !customStorage : false,
    localChannel: environment === 'browser' && options.localChannel !== false,
    leaveOnPageHide: options.leaveOnPageHide === true,
    testing: validateTesting(options.testing),
  };
}
