// The tabs of one browser profile that open the same group run the group key's slow derivation
// (deriveRoomAndAuthKey: PBKDF2, a few hundred ms of CPU) once between them, not once each: a tab
// that has the result answers the others over a BroadcastChannel, and tabs that start together
// take turns under a Web Lock, so one derives and hands its result to the rest. The channel and
// locks are named by derivationShareName (a fast hash of the key and appId): names that never
// leave the browser. The derivation's protection (against the signaling server and remote peers
// guessing the key offline) does not change: nothing fast is ever sent or stored.
//
// Every wait is bounded: a tab that holds the result may be frozen (it holds its locks but runs no
// code), so an unanswered request or a lock held too long ends in this tab deriving on its own.
import { isValidRoomId } from '@meshraft/webrtc';
import type { LockManagerLike } from '../identity';

export interface DerivedRoom {
  room: string;
  authKey: Uint8Array;
}

/** How this tab came by its room id and auth key: it ran the derivation, or a tab of its profile gave it. */
export type DerivationSource = 'derived' | 'shared';

/** The part of BroadcastChannel the share uses. */
export interface ShareChannel {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent) => void) | null;
  close(): void;
}

export interface DerivationShareEnvironment {
  open(name: string): ShareChannel;
  locks: LockManagerLike;
}

/**
 * How long a tab waits for a tab known to hold the result to answer. An answer is one task on the
 * holder's main thread; a page busy loading or applying can delay it that long. Waited at most
 * once per start: a holder that never answers is frozen.
 */
export const ANSWER_WAIT_MS = 250;
/**
 * How long a tab waits for its turn before deriving on its own. A turn is one derivation (about
 * 0.2-0.6 s here); a holder that takes longer is frozen, or on a machine too busy for waiting to
 * help.
 */
export const TURN_WAIT_MS = 3000;

const AUTH_KEY_BYTES = 32;

type ShareMessage = { type: 'ask' } | { type: 'offer'; room: string; authKey: Uint8Array };

/** An offer another tab posted, when it is well formed; anything else on the channel is ignored. */
function offerIn(data: unknown): DerivedRoom | null {
  if (typeof data !== 'object' || data === null) return null;
  const m = data as Partial<Record<string, unknown>>;
  if (m.type !== 'offer' || !isValidRoomId(m.room)) return null;
  if (!(m.authKey instanceof Uint8Array) || m.authKey.length !== AUTH_KEY_BYTES) return null;
  return { room: m.room, authKey: new Uint8Array(m.authKey) };
}

const sleep = (ms: number) => new Promise<null>((resolve) => setTimeout(() => resolve(null), ms));

/**
 * One tab's part in sharing one group key's derivation: derive() gets the result (from another
 * tab, or by running `run`), then answers other tabs until close().
 */
export class DerivationShare {
  /** Null until derive() settled. */
  source: DerivationSource | null = null;
  private result: DerivedRoom | null = null;
  private channel: ShareChannel | null = null;
  private releaseHolder: (() => void) | null = null;
  private closed = false;

  constructor(
    private readonly name: string,
    private readonly env: DerivationShareEnvironment,
    private readonly waits = { answerMs: ANSWER_WAIT_MS, turnMs: TURN_WAIT_MS },
  ) {}

  async derive(run: () => Promise<DerivedRoom>): Promise<DerivedRoom> {
    const { locks } = this.env;
    let received: DerivedRoom | null = null;
    let offered!: (result: DerivedRoom) => void;
    const offer = new Promise<DerivedRoom>((resolve) => (offered = resolve));
    const channel = this.env.open(`meshraft-derivation:${this.name}`);
    this.channel = channel;
    channel.onmessage = (event) => {
      const data = event.data;
      if (typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'ask') {
        if (this.result) this.post(this.result);
        return;
      }
      const result = received === null ? offerIn(data) : null;
      if (result) offered((received = result));
    };

    // A tab that has the result holds the holder lock (shared) while it can answer: ask, and look
    // whether anyone holds it meanwhile (an ask nobody can answer costs nothing).
    let askedBefore = false;
    const asked = async (): Promise<DerivedRoom | null> => {
      if (received !== null || askedBefore) return received;
      channel.postMessage({ type: 'ask' } satisfies ShareMessage);
      const held = (await locks.query?.())?.held ?? [];
      if (received !== null || !held.some((lock) => lock.name === this.holderLock)) return received;
      askedBefore = true;
      return Promise.race([offer, sleep(this.waits.answerMs)]);
    };
    const answer = await asked();
    if (answer) return this.settle(answer, 'shared');

    // Nobody could answer: tabs take turns. The first derives, and before its turn ends it offers
    // the result and holds the holder lock, so each next one finds it when its turn comes.
    const abort = new AbortController();
    let runningHere = false;
    // Set once this tab's own run finished: from then on its source is 'derived', even if its
    // result comes back to it (another tab answering an ask with it) before its turn ends.
    let derivedHere: DerivedRoom | null = null;
    const turn = locks
      .request(this.turnLock, { signal: abort.signal }, async () => {
        if (this.closed || (await asked()) !== null) return null;
        runningHere = true;
        const result = await run();
        derivedHere = result;
        this.post(result);
        await this.holdResult(result);
        return result;
      })
      .then(
        (value) => value as DerivedRoom | null,
        (error: unknown) => {
          if (runningHere) throw error; // the derivation failed: the caller's error
          return null; // the wait was aborted
        },
      );
    turn.catch(() => {}); // observed below, unless an offer won the race
    const first = await Promise.race([
      offer.then((result) => ({ result, source: 'shared' as const })),
      // A turn that ended without deriving (an offer came first) leaves the race to the offer.
      turn.then((result) => (result ? { result, source: 'derived' as const } : new Promise<never>(() => {}))),
      sleep(this.waits.turnMs),
    ]);
    if (first !== null) {
      if (!runningHere) abort.abort();
      if (derivedHere !== null) return this.settle(derivedHere, 'derived');
      return this.settle(first.result, first.source);
    }
    if (runningHere) return this.settle((await turn)!, 'derived');
    // The turn did not come: whoever holds it is frozen or slow. Derive here.
    abort.abort();
    const result = await run();
    this.post(result);
    return this.settle(result, 'derived');
  }

  /** Stops answering and lets go of the locks. */
  close(): void {
    this.closed = true;
    this.releaseHolder?.();
    this.releaseHolder = null;
    this.channel?.close();
    this.channel = null;
  }

  private get holderLock(): string {
    return `meshraft-derivation-holder:${this.name}`;
  }

  private get turnLock(): string {
    return `meshraft-derivation-turn:${this.name}`;
  }

  private settle(result: DerivedRoom, source: DerivationSource): DerivedRoom {
    this.source = source;
    void this.holdResult(result);
    return result;
  }

  /** Keeps the result to answer with, and holds the holder lock until close(); resolves once held. */
  private holdResult(result: DerivedRoom): Promise<void> {
    if (this.closed || this.result !== null) return Promise.resolve();
    this.result = result;
    let release!: () => void;
    const holding = new Promise<void>((resolve) => (release = resolve));
    this.releaseHolder = release;
    return new Promise<void>((granted) => {
      this.env.locks
        .request(this.holderLock, { mode: 'shared' }, () => {
          granted();
          return holding;
        })
        .catch(() => granted());
    });
  }

  private post(result: DerivedRoom): void {
    this.channel?.postMessage({ type: 'offer', room: result.room, authKey: result.authKey } satisfies ShareMessage);
  }
}
