// The fast-check seed of the core package's property tests. `npm test` sets MESHRAFT_PROPERTY_SEED
// (printed) so each run explores new cases; fast-check prints a failing seed either way.
export const propertySeed: { seed?: number } = process.env.MESHRAFT_PROPERTY_SEED ? { seed: Number(process.env.MESHRAFT_PROPERTY_SEED) } : {};
