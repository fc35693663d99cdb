import { canonicalHash, GENESIS_HASH, type CanonicalInput } from './canonical';
import { ATTR } from './schema';

/** One problem found by verifyChain. */
export interface ChainProblem {
  chainId: string;
  seq: number;
  problem: 'hash_mismatch' | 'prev_mismatch' | 'gap' | 'duplicate_conflict' | 'missing_fields';
  detail: string;
}

/**
 * Verifies hash chains in a set of records (any order, several chains, duplicates allowed): each
 * record's hash, the link to the previous record's hash, and gaps in `seq`. With `fromStart` false
 * (a time window that may begin mid-chain) the first record present of each chain is taken as given.
 * The reference implementation for other verifiers (docs/hash-chain.md).
 */
export function verifyChain(
  records: readonly CanonicalInput[],
  options: { fromStart?: boolean } = {}
): { ok: boolean; checked: number; problems: ChainProblem[] } {
  const problems: ChainProblem[] = [];
  const chains = new Map<string, Map<number, CanonicalInput>>();
  for (const r of records) {
    const chainId = r.attributes[ATTR.chainId];
    const seq = Number(r.attributes[ATTR.chainSeq]);
    if (typeof chainId !== 'string' || !Number.isSafeInteger(seq) || seq < 1) {
      problems.push({
        chainId: String(chainId),
        seq: NaN,
        problem: 'missing_fields',
        detail: 'record without audit.chain.id / audit.chain.seq',
      });
      continue;
    }
    let chain = chains.get(chainId);
    if (!chain) {
      chain = new Map();
      chains.set(chainId, chain);
    }
    const prev = chain.get(seq);
    if (prev && prev.attributes[ATTR.chainHash] !== r.attributes[ATTR.chainHash]) {
      problems.push({ chainId, seq, problem: 'duplicate_conflict', detail: 'two different records with the same seq' });
    }
    chain.set(seq, r);
  }
  let checked = 0;
  for (const [chainId, chain] of chains) {
    const seqs = [...chain.keys()].sort((a, b) => a - b);
    let expectedPrev: string | undefined = options.fromStart === false ? undefined : GENESIS_HASH;
    let lastSeq = options.fromStart === false ? seqs[0] - 1 : 0;
    for (const seq of seqs) {
      const r = chain.get(seq) as CanonicalInput;
      checked++;
      if (seq !== lastSeq + 1) {
        problems.push({ chainId, seq, problem: 'gap', detail: `seq ${lastSeq + 1}..${seq - 1} missing` });
        expectedPrev = undefined;
      }
      const hash = r.attributes[ATTR.chainHash];
      const actual = canonicalHash(r);
      if (hash !== actual) {
        problems.push({ chainId, seq, problem: 'hash_mismatch', detail: `stored ${String(hash)}, computed ${actual}` });
      }
      if (expectedPrev !== undefined && r.attributes[ATTR.chainPrev] !== expectedPrev) {
        problems.push({
          chainId,
          seq,
          problem: 'prev_mismatch',
          detail: `prev ${String(r.attributes[ATTR.chainPrev])}, expected ${expectedPrev}`,
        });
      }
      expectedPrev = typeof hash === 'string' ? hash : undefined;
      lastSeq = seq;
    }
  }
  return { ok: problems.length === 0, checked, problems };
}
