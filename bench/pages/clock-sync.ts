// Cross-tab clock alignment for the benchmark: every tab answers pings on a BroadcastChannel with
// its performance.now(); the measuring tab keeps, per tab, the sample with the smallest round trip
// (NTP style), so a time t read in tab X maps to t - offset[X] on the measuring tab's clock with an
// error of at most half that round trip (reported next to the figures).
export interface ClockOffset {
  offsetMs: number;
  /** Round trip of the sample the offset comes from; the offset is good to +-rttMs/2. */
  rttMs: number;
}

type ClockMessage = { type: 'ping'; to: string; from: string; id: number } | { type: 'pong'; to: string; id: number; at: number };

export class ClockSync {
  private readonly channel: BroadcastChannel;
  private waiting = new Map<number, (at: number) => void>();
  private nextId = 1;

  constructor(
    private readonly self: string,
    name: string,
  ) {
    this.channel = new BroadcastChannel(name);
    this.channel.onmessage = (event: MessageEvent<ClockMessage>) => {
      const m = event.data;
      if (m.to !== this.self) return;
      if (m.type === 'ping') this.channel.postMessage({ type: 'pong', to: m.from, id: m.id, at: performance.now() } satisfies ClockMessage);
      else this.waiting.get(m.id)?.(m.at);
    };
  }

  /** Offset of `tab`'s performance.now() relative to ours (theirs - ours). */
  async offsetOf(tab: string, samples = 40): Promise<ClockOffset> {
    let best: ClockOffset | null = null;
    for (let i = 0; i < samples; i++) {
      const id = this.nextId++;
      const sent = performance.now();
      const theirs = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no clock answer from ${tab}`)), 2000);
        this.waiting.set(id, (at) => {
          clearTimeout(timer);
          resolve(at);
        });
        this.channel.postMessage({ type: 'ping', to: tab, from: this.self, id } satisfies ClockMessage);
      });
      const back = performance.now();
      this.waiting.delete(id);
      const sample = { offsetMs: theirs - (sent + back) / 2, rttMs: back - sent };
      if (!best || sample.rttMs < best.rttMs) best = sample;
    }
    return best!;
  }
}
