// A client workload for the consumer chaos check, on the Registers state machine: one operation at
// a time -- put, strong get or compare-and-set on a few keys -- reported through `report` before it
// is issued and after it settles. The check stamps those reports with its own clock, so every
// interval it keeps contains the operation's real one, for every tab alike; a tab that closes or
// reloads mid-operation leaves a call with no answer (its outcome is unknown).
//   { type: 'call', id, input: { kind: 'put' | 'get' | 'cas', key, value?, expected? } }
//   { type: 'return', id, output: { kind: 'put' } | { kind: 'get', value } | { kind: 'cas', swapped } }
//   { type: 'fail', id, error: '<name>: <message>' }
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Issues `input` through the group's public API; resolves with what the history records. */
async function perform(group, input) {
  if (input.kind === 'get') {
    const { result } = await group.query({ get: input.key }, 'strong');
    return { kind: 'get', value: result };
  }
  if (input.kind === 'put') {
    await group.execute({ put: input.key, value: input.value });
    return { kind: 'put' };
  }
  const { result } = await group.execute({ cas: input.key, expected: input.expected, value: input.value });
  return { kind: 'cas', swapped: result.swapped };
}

/**
 * Starts the loop for `client` (a name unique across the run: a reloaded tab gets a new one).
 * Returns `stop()`, which resolves with how many operations were issued once the one in flight settled.
 */
export function startWriter(group, { client, keys, pauseMs }, report) {
  let running = true;
  // The last value this client saw per key: what its cas expects, so that some of them swap.
  const lastSeen = new Map();
  const loop = (async () => {
    let issued = 0;
    while (running) {
      const id = `${client}:${issued++}`;
      const key = keys[Math.floor(Math.random() * keys.length)];
      const dice = Math.random();
      const input =
        dice < 0.4 ? { kind: 'put', key, value: id }
        : dice < 0.7 ? { kind: 'get', key }
        : { kind: 'cas', key, expected: lastSeen.get(key) ?? null, value: id };
      await report({ type: 'call', id, input });
      try {
        const output = await perform(group, input);
        if (output.kind === 'get') lastSeen.set(key, output.value);
        else if (output.kind === 'put' || output.swapped) lastSeen.set(key, id);
        await report({ type: 'return', id, output });
      } catch (error) {
        await report({ type: 'fail', id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      }
      await sleep(pauseMs);
    }
    return issued;
  })();
  return {
    stop: () => {
      running = false;
      return loop;
    },
  };
}
