import { canonicalHash, canonicalString, GENESIS_HASH, type CanonicalInput } from './canonical';
import { ATTR } from './schema';

/**
 * A break in a chain. `hash_mismatch`: the record's content does not give its stored hash (a changed
 * field, or a forgery); `conflict`: two different records claim one position; `prev_mismatch`: the
 * record does not link to the record before it as recomputed from content (an insert, a reorder, or
 * the record after a changed one); `gap`: positions missing (deleted records, or a range that starts
 * mid-chain); `missing_fields`: a chain id without a valid position, or a position without a chain id
 * (a record with neither is unchained: counted, not a break); `unknown_key`: keyed with a key the verifier
 * does not hold (it cannot be checked); `unkeyed`: an unkeyed record in a chain that was keyed before
 * it (or any unkeyed record with `requireKeyed`, chain fields or none) — what a forger without the key would
 * write; `unchained`: a record without chain fields in a service whose other records are chained — an
 * insert by someone who could not chain it; `moved`: a record read from another service's or
 * environment's stream than the one its hash names (`audit.chain.service` / `audit.chain.environment`).
 */
export interface ChainProblem {
  chainId: string;
  seq: number;
  problem:
    | 'hash_mismatch'
    | 'conflict'
    | 'prev_mismatch'
    | 'gap'
    | 'missing_fields'
    | 'unknown_key'
    | 'unkeyed'
    | 'unchained'
    | 'moved';
  detail: string;
  /** audit.id of the record concerned, when it has one (to link to it). */
  id?: string;
}

/** The same record delivered more than once (at-least-once delivery): not a break. */
export interface ChainDuplicate {
  chainId: string;
  seq: number;
  copies: number;
}

/** What was verified of one chain. */
export interface ChainSummary {
  chainId: string;
  first: number;
  last: number;
  records: number;
  /** The hash of the last record, recomputed from its content. */
  lastHash: string;
}

export interface ChainVerification {
  ok: boolean;
  /** Distinct records checked. */
  checked: number;
  /** Records with no chain fields at all (producers that do not chain): counted, not verifiable, not a break. */
  unchained: number;
  problems: ChainProblem[];
  duplicates: ChainDuplicate[];
  chains: ChainSummary[];
}

interface Position {
  record: CanonicalInput;
  canonical: string;
  computed: string;
  copies: number;
  /** Distinct variants beyond the first (a conflict when non-empty). */
  others: CanonicalInput[];
}

const idOf = (r: CanonicalInput) => {
  const id = r.attributes[ATTR.id];
  return typeof id === 'string' ? id : undefined;
};

/**
 * Verifies hash chains in a set of records (any order, several chains, copies allowed). Every hash is
 * recomputed from content; a record's link is checked against the previous record's recomputed hash,
 * never its stored one. Two different records at one position are a break, the same record twice is a
 * duplicate. With `fromStart: false` (a time range that may begin mid-chain) the first position present
 * in each chain is taken as given. Specified in docs/hash-chain.md; pinned, with the Go verifier
 * (pkg/integrity), by test-vectors/chain-verify.json.
 */
export interface VerifyOptions {
  /** Take the first position present in each chain as given (a range that starts mid-chain). */
  fromStart?: boolean;
  /** The producers' chain keys by `audit.chain.key_id`. */
  keys?: Readonly<Record<string, Uint8Array>> | ((keyId: string) => Uint8Array | undefined);
  /** Every record must be keyed: unkeyed records and records without chain fields are breaks. */
  requireKeyed?: boolean;
}

export function verifyChain(records: readonly CanonicalInput[], options: VerifyOptions = {}): ChainVerification {
  const keyOf =
    typeof options.keys === 'function'
      ? options.keys
      : (id: string) => (options.keys as Record<string, Uint8Array> | undefined)?.[id];
  const problems: ChainProblem[] = [];
  const chains = new Map<string, Map<number, Position>>();
  let unchained = 0;
  const unchainedRecords: CanonicalInput[] = [];
  const chainedServices = new Set<string>();
  for (const r of records) {
    const chainId = r.attributes[ATTR.chainId];
    if (chainId === undefined && r.attributes[ATTR.chainSeq] === undefined) {
      unchained++;
      unchainedRecords.push(r);
      continue;
    }
    if (r.stream?.service) {
      chainedServices.add(r.stream.service);
    }
    const seq = Number(r.attributes[ATTR.chainSeq]);
    if (typeof chainId !== 'string' || chainId === '' || !Number.isSafeInteger(seq) || seq < 1) {
      problems.push({
        chainId: String(chainId ?? ''),
        seq: NaN,
        problem: 'missing_fields',
        detail: 'record without audit.chain.id / audit.chain.seq',
        id: idOf(r),
      });
      continue;
    }
    let chain = chains.get(chainId);
    if (!chain) {
      chain = new Map();
      chains.set(chainId, chain);
    }
    const canonical = canonicalString(r) + '\u0000' + String(r.attributes[ATTR.chainHash] ?? '');
    const at = chain.get(seq);
    if (!at) {
      chain.set(seq, { record: r, canonical, computed: canonicalHash(r), copies: 1, others: [] });
    } else if (at.canonical === canonical) {
      at.copies++;
    } else if (
      !at.others.some((o) => canonicalString(o) + '\u0000' + String(o.attributes[ATTR.chainHash] ?? '') === canonical)
    ) {
      at.others.push(r);
    }
  }

  // Records without chain fields: a break where every record must be keyed, or where their service's
  // other records are chained (a producer that chains does not write unchained records).
  for (const r of unchainedRecords) {
    if (options.requireKeyed) {
      problems.push({ chainId: '', seq: 0, problem: 'unkeyed', detail: 'record without chain fields', id: idOf(r) });
    } else if (r.stream?.service && chainedServices.has(r.stream.service)) {
      problems.push({
        chainId: '',
        seq: 0,
        problem: 'unchained',
        detail: `record without chain fields in service ${r.stream.service}, whose records are chained`,
        id: idOf(r),
      });
    }
  }

  const duplicates: ChainDuplicate[] = [];
  const summaries: ChainSummary[] = [];
  let checked = 0;
  for (const [chainId, chain] of [...chains].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const seqs = [...chain.keys()].sort((a, b) => a - b);
    let expectedPrev: string | undefined = options.fromStart === false ? undefined : GENESIS_HASH;
    let lastSeq = options.fromStart === false ? seqs[0] - 1 : 0;
    let lastHash = '';
    let keyed = false;
    for (const seq of seqs) {
      const pos = chain.get(seq) as Position;
      const variants = [pos.record, ...pos.others];
      checked += variants.length;
      if (pos.copies > 1) {
        duplicates.push({ chainId, seq, copies: pos.copies });
      }
      if (seq !== lastSeq + 1) {
        problems.push({ chainId, seq, problem: 'gap', detail: `seq ${lastSeq + 1}..${seq - 1} missing` });
        expectedPrev = undefined;
      }
      if (variants.length > 1) {
        problems.push({
          chainId,
          seq,
          problem: 'conflict',
          detail: `${variants.length} different records at this position`,
          id: idOf(pos.record),
        });
      }
      const hashes = variants.map((v) => {
        const keyId = v.attributes[ATTR.chainKeyId];
        if (typeof keyId === 'string' && keyId !== '') {
          const secret = keyOf(keyId);
          if (secret === undefined) {
            problems.push({
              chainId,
              seq,
              problem: 'unknown_key',
              detail: `no key ${keyId} to check it with`,
              id: idOf(v),
            });
            return undefined;
          }
          return canonicalHash(v, secret);
        }
        if (keyed || options.requireKeyed) {
          problems.push({
            chainId,
            seq,
            problem: 'unkeyed',
            detail: keyed ? 'unkeyed record in a keyed chain' : 'unkeyed record',
            id: idOf(v),
          });
        }
        return canonicalHash(v);
      });
      if (
        variants.some((v) => typeof v.attributes[ATTR.chainKeyId] === 'string' && v.attributes[ATTR.chainKeyId] !== '')
      ) {
        keyed = true;
      }
      variants.forEach((v, i) => {
        const stored = v.attributes[ATTR.chainHash];
        if (hashes[i] !== undefined && stored !== hashes[i]) {
          problems.push({
            chainId,
            seq,
            problem: 'hash_mismatch',
            detail: `stored ${String(stored)}, content gives ${hashes[i]}`,
            id: idOf(v),
          });
        }
        const prev = v.attributes[ATTR.chainPrev];
        if (expectedPrev !== undefined && prev !== expectedPrev) {
          problems.push({
            chainId,
            seq,
            problem: 'prev_mismatch',
            detail: `prev ${String(prev)}, the record before gives ${expectedPrev}`,
            id: idOf(v),
          });
        }
        const moved = movedFrom(v);
        if (moved) {
          problems.push({ chainId, seq, problem: 'moved', detail: moved, id: idOf(v) });
        }
      });
      // After a conflict the genuine record cannot be told: the next link is checked against none.
      expectedPrev = variants.length === 1 ? hashes[0] : undefined;
      lastHash = hashes[0] ?? '';
      lastSeq = seq;
    }
    summaries.push({ chainId, first: seqs[0], last: seqs[seqs.length - 1], records: seqs.length, lastHash });
  }
  return { ok: problems.length === 0, checked, unchained, problems, duplicates, chains: summaries };
}

/** Where a record was moved from: the stream its hash names, when it was read from another. */
function movedFrom(r: CanonicalInput): string | undefined {
  const pairs: Array<[string, unknown, string | undefined]> = [
    ['service', r.attributes[ATTR.chainService], r.stream?.service],
    ['environment', r.attributes[ATTR.chainEnvironment], r.stream?.environment],
  ];
  for (const [what, own, read] of pairs) {
    if (typeof own === 'string' && own !== '' && read !== undefined && read !== '' && read !== own) {
      return `recorded in ${what} ${own}, read from ${what} ${read}`;
    }
  }
  return undefined;
}
