// What tells apart the applied lists of tabs that reached the same applied index with different
// states (the chaos checks' Registers: every applied command's value, in log order, and where each
// was applied, `index/term`): where each list first leaves the first tab's, the values around that
// place, values it holds twice, and values only one of the two holds, each with the index and term
// it was applied at. A divergence at one applied index is a replica-safety failure, and this is all
// a failed run leaves to find its cause from.

const shown = (value) => String(value).slice(0, 32);

/**
 * One line per tab after the first: how its list (`states[i].result`) differs from `states[0].result`.
 * `positions[i]`, when given, is tab i's `index/term` list in step with its values.
 */
export function describeDivergence(labels, states, positions = null) {
  const base = states[0].result;
  const inBase = new Set(base);
  const at = (i, list, k) => (positions ? `${shown(list[k])}@${positions[i]?.[k] ?? '?'}` : shown(list[k]));
  const placed = (i, list, values) => values.map((value) => at(i, list, list.indexOf(value)));
  return states.map(({ position, result }, i) => {
    let first = 0;
    while (first < Math.min(result.length, base.length) && result[first] === base[first]) first++;
    const seen = new Map();
    for (const value of result) seen.set(value, (seen.get(value) ?? 0) + 1);
    const held = new Set(result);
    const around = [];
    for (let k = Math.max(0, first - 2); k < Math.min(result.length, first + 3); k++) around.push(at(i, result, k));
    return {
      tab: labels[i],
      position,
      length: result.length,
      firstDifferenceAt: first === result.length && first === base.length ? null : first,
      around,
      twice: [...seen].filter(([, n]) => n > 1).slice(0, 5).map(([value, n]) => `${shown(value)} x${n}`),
      notInFirstTab: placed(i, result, result.filter((value) => !inBase.has(value)).slice(0, 5)),
      missingFromFirstTab: placed(0, base, base.filter((value) => !held.has(value)).slice(0, 5)),
    };
  });
}
