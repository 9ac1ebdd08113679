// The warm-up script (host/engine-warm-up.ts) must really run the rare paths it exists to warm: if a
// change to the engine made it stop short, the warm-up would silently warm less.
import { describe, expect, it } from 'vitest';
import { engineWarmUp, runEngineWarmUp, WARM_UP_MILESTONES } from '../src/host/engine-warm-up';

describe('engine warm-up script', () => {
  it('reaches every milestone: election, a forwarded write, a read, a crash failover and a graceful one', () => {
    const report = runEngineWarmUp();
    expect(report.reached).toEqual(WARM_UP_MILESTONES);
    // Every kind of traffic crossed the codec: far more than the handful of an election.
    expect(report.messages).toBeGreaterThan(50);
    for (const type of ['PreVote', 'RequestVote', 'AppendEntries', 'ForwardCommands', 'ReadIndexRequest', 'TimeoutNow', 'Departure'] as const) {
      expect(report.messageTypes[type], type).toBeGreaterThan(0);
    }
  });

  it('is the same run every time (seeded engines, virtual time)', () => {
    expect(runEngineWarmUp()).toEqual(runEngineWarmUp());
  });

  it('runs in many small steps, each milestone announced once and in order', () => {
    const steps = engineWarmUp();
    const announced: string[] = [];
    let count = 0;
    for (let step = steps.next(); !step.done; step = steps.next()) {
      count++;
      if (step.value !== null) announced.push(step.value);
    }
    expect(announced).toEqual(WARM_UP_MILESTONES);
    expect(count).toBeGreaterThan(WARM_UP_MILESTONES.length * 2);
  });
});
