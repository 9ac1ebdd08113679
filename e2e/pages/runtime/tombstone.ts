// A tombstone as meshraft's browser/local-slots.ts keeps it in localStorage, for the page's
// `meshraft.tombstones()` and the specs that read it.
export interface StoredTombstone {
  term: number;
  lastIndex: number;
  lastTerm: number;
  led?: true;
  successors?: string[];
  /** The voters the departed peer knew had departed before it (absent: a notice of an older version). */
  knew?: string[];
  /** When this profile wrote it. */
  at: number;
  /** It departed from a tab of this profile. */
  own?: true;
  before?: string[];
  /** Of an own departure, the highest index its page had seen committed. */
  committed?: number;
}
