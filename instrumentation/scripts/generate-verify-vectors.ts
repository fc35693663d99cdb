/**
 * Writes test-vectors/chain-verify.json: attacks on a chain and what a verifier must report for each.
 * The TypeScript verifier (src/verifyChain.ts) and the Go one (pkg/integrity) are both checked against
 * it. Run: npm -w instrumentation run vectors.
 */
import fs from 'node:fs';
import path from 'node:path';
import { canonicalHash, GENESIS_HASH } from '../src/canonical';
import { type CanonicalInput } from '../src/canonical';
import { verifyChain } from '../src/verifyChain';

interface WireRecord {
  time_unix_nano: string;
  severity_text?: string;
  body?: string;
  attributes: Record<string, string | number | boolean>;
  /** The Loki stream the record is read from (labels), when the case needs one. */
  stream?: { service_name?: string; deployment_environment_name?: string };
}

const toInput = (w: WireRecord): CanonicalInput => {
  const ns = BigInt(w.time_unix_nano);
  return {
    hrTime: [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)],
    severityText: w.severity_text,
    body: w.body,
    attributes: { ...w.attributes },
    stream: w.stream && { service: w.stream.service_name, environment: w.stream.deployment_environment_name },
  };
};

// Test keys (never use these anywhere else).
const KEYS: Record<string, Buffer> = {
  k1: Buffer.from('attest test chain key one, 32 b!'),
  k2: Buffer.from('attest test chain key two, 32 b!'),
};

/** A chain of n well-formed records, hashed and linked; keyed with keyAt(seq) when given. */
function chain(
  id: string,
  n: number,
  t0 = 1767225600000000000n,
  keyAt?: (seq: number) => string | undefined,
  stream?: { service: string; environment: string }
): WireRecord[] {
  const out: WireRecord[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const w: WireRecord = {
      time_unix_nano: String(t0 + BigInt(seq) * 1_000_000_000n),
      severity_text: seq % 4 === 0 ? 'WARNING' : 'INFO',
      body: `event ${seq} of ${id}`,
      attributes: {
        'audit.id': `${id}-${seq}`,
        'audit.event': seq % 3 === 0 ? 'auth.login.failed' : 'user.updated',
        'audit.category': seq % 3 === 0 ? 'AUTH' : 'USER_MGMT',
        'audit.action': 'update',
        'audit.outcome': 'success',
        'audit.actor.type': 'user',
        'user.id': `u-${seq % 5}`,
        'audit.chain.id': id,
        'audit.chain.seq': seq,
        'audit.chain.prev': prev,
      },
    };
    if (stream) {
      w.attributes['audit.chain.service'] = stream.service;
      w.attributes['audit.chain.environment'] = stream.environment;
      w.stream = { service_name: stream.service, deployment_environment_name: stream.environment };
    }
    const keyId = keyAt?.(seq);
    if (keyId) {
      w.attributes['audit.chain.key_id'] = keyId;
    }
    prev = canonicalHash(toInput(w), keyId ? KEYS[keyId] : undefined);
    w.attributes['audit.chain.hash'] = prev;
    out.push(w);
  }
  return out;
}

const clone = (rs: WireRecord[]) => rs.map((r) => ({ ...r, attributes: { ...r.attributes } }));
const rehash = (w: WireRecord) => {
  w.attributes['audit.chain.hash'] = canonicalHash(toInput(w));
  return w;
};

const A = 'chain-a';
const B = 'chain-b';
const cases: Array<{ name: string; fromStart?: boolean; requireKeyed?: boolean; records: WireRecord[] }> = [];
const add = (name: string, records: WireRecord[], fromStart?: boolean, requireKeyed?: boolean) =>
  cases.push({ name, records, fromStart, requireKeyed });

add('clean: two chains, records in any order', [...chain(A, 6), ...chain(B, 3)].reverse());
add(
  'exact duplicate (one record delivered twice): a duplicate, not a break',
  (() => {
    const rs = chain(A, 5);
    return [...rs, clone([rs[2]])[0]];
  })()
);
add(
  'deleted from the middle: a gap',
  chain(A, 8).filter((r) => r.attributes['audit.chain.seq'] !== 4 && r.attributes['audit.chain.seq'] !== 5)
);
add('truncated tail: invisible to the chain alone (checkpoints catch it)', chain(A, 8).slice(0, 5));
add(
  'a changed field: its hash no longer matches, the next link breaks',
  (() => {
    const rs = chain(A, 6);
    rs[2].attributes['user.id'] = 'mallory';
    return rs;
  })()
);
add(
  'a changed field with its hash recomputed: the next link breaks',
  (() => {
    const rs = chain(A, 6);
    rs[2].attributes['user.id'] = 'mallory';
    rehash(rs[2]);
    return rs;
  })()
);
add(
  'a copy carrying the genuine chain fields, placed before the original: a conflict',
  (() => {
    const rs = chain(A, 5);
    const forged = clone([rs[1]])[0];
    forged.body = 'nothing happened here';
    forged.time_unix_nano = String(BigInt(rs[1].time_unix_nano) - 500_000_000n);
    return [rs[0], forged, ...rs.slice(1)];
  })()
);
add(
  'a forged insert renumbering the rest: the links break',
  (() => {
    const rs = chain(A, 4);
    const forged = clone([rs[1]])[0];
    forged.body = 'forged';
    forged.attributes['audit.id'] = 'forged-1';
    forged.attributes['audit.chain.seq'] = 3;
    forged.attributes['audit.chain.prev'] = rs[1].attributes['audit.chain.hash'] as string;
    rehash(forged);
    const shifted = rs.slice(2).map((r) => ({
      ...r,
      attributes: { ...r.attributes, 'audit.chain.seq': Number(r.attributes['audit.chain.seq']) + 1 },
    }));
    return [rs[0], rs[1], forged, ...shifted];
  })()
);
add(
  'two records swapped in position: the links break',
  (() => {
    const rs = chain(A, 5);
    const a = rs[1].attributes['audit.chain.seq'];
    rs[1].attributes['audit.chain.seq'] = rs[2].attributes['audit.chain.seq'];
    rs[2].attributes['audit.chain.seq'] = a;
    return rs;
  })()
);
add(
  'a forged append with a recomputed hash: invisible to an unkeyed chain',
  (() => {
    const rs = chain(A, 4);
    const forged = clone([rs[3]])[0];
    forged.body = 'forged';
    forged.attributes['audit.id'] = 'forged-append';
    forged.attributes['audit.chain.seq'] = 5;
    forged.attributes['audit.chain.prev'] = rs[3].attributes['audit.chain.hash'] as string;
    return [...rs, rehash(forged)];
  })()
);
add('a range starting mid-chain, fromStart false: fine', chain(A, 9).slice(3), false);
add('a range starting mid-chain, fromStart true: a gap at the start', chain(A, 9).slice(3));
add(
  'a record without chain fields',
  (() => {
    const rs = chain(A, 3);
    delete rs[1].attributes['audit.chain.id'];
    return rs;
  })()
);

add(
  'an unchained record (no chain fields at all) beside a chain: counted, not a break',
  (() => {
    const rs = chain(A, 3);
    const other = { ...rs[1], attributes: { ...rs[1].attributes } };
    for (const k of ['audit.chain.id', 'audit.chain.seq', 'audit.chain.prev', 'audit.chain.hash']) {
      delete other.attributes[k];
    }
    other.attributes['audit.id'] = 'unchained-1';
    return [...rs, other];
  })()
);

const k1 = () => 'k1';
add('keyed chain: clean', chain(A, 5, undefined, k1));
add(
  'key rotation mid-chain: no break',
  chain(A, 6, undefined, (seq) => (seq <= 3 ? 'k1' : 'k2'))
);
add(
  'a forged append without the key (unkeyed SHA-256) after keyed records',
  (() => {
    const rs = chain(A, 4, undefined, k1);
    const forged = clone([rs[3]])[0];
    delete forged.attributes['audit.chain.key_id'];
    forged.body = 'forged';
    forged.attributes['audit.id'] = 'forged-append';
    forged.attributes['audit.chain.seq'] = 5;
    forged.attributes['audit.chain.prev'] = rs[3].attributes['audit.chain.hash'] as string;
    return [...rs, rehash(forged)];
  })()
);
add(
  'a forged append naming the key but hashed without it',
  (() => {
    const rs = chain(A, 4, undefined, k1);
    const forged = clone([rs[3]])[0];
    forged.body = 'forged';
    forged.attributes['audit.id'] = 'forged-append';
    forged.attributes['audit.chain.seq'] = 5;
    forged.attributes['audit.chain.prev'] = rs[3].attributes['audit.chain.hash'] as string;
    forged.attributes['audit.chain.hash'] = canonicalHash(
      toInput(forged),
      Buffer.from('a guess, not the producer key!!!')
    );
    return [...rs, forged];
  })()
);
add(
  'a changed field in a keyed chain with its hash recomputed unkeyed',
  (() => {
    const rs = chain(A, 5, undefined, k1);
    rs[2].attributes['user.id'] = 'mallory';
    rs[2].attributes['audit.chain.hash'] = canonicalHash(toInput(rs[2]));
    return rs;
  })()
);
add(
  'a key the verifier does not hold: cannot be checked',
  chain(A, 3, undefined, () => 'k9')
);
add('an unkeyed chain where keys are required', chain(B, 2), true, true);

const billing = { service: 'billing-api', environment: 'production' };
/** A record of `service` with no chain fields, read from its stream. */
const unchainedOf = (service: string, id: string): WireRecord => ({
  time_unix_nano: '1767225602500000000',
  severity_text: 'INFO',
  body: `unchained record ${id}`,
  attributes: { 'audit.id': id, 'audit.event': 'user.updated', 'audit.category': 'USER_MGMT', 'user.id': 'u-9' },
  stream: { service_name: service, deployment_environment_name: 'production' },
});
add('a chained service read from its own stream: clean', chain(A, 4, undefined, k1, billing));
add(
  'a record without chain fields inserted into a service whose records are chained: a break',
  [...chain(A, 4, undefined, k1, billing), unchainedOf('billing-api', 'inserted-1')]
);
add(
  'a record without chain fields of a service that does not chain, beside a chained one: counted',
  [...chain(A, 4, undefined, k1, billing), unchainedOf('legacy-crm', 'legacy-1')]
);
add(
  'keys required: a record without chain fields is unkeyed, whatever its service',
  [...chain(A, 3, undefined, k1, billing), unchainedOf('legacy-crm', 'legacy-2')],
  true,
  true
);
add(
  "a record moved to another service's stream: a break",
  (() => {
    const rs = chain(A, 4, undefined, k1, billing);
    rs[1].stream = { ...rs[1].stream, service_name: 'attest-grafana-app' };
    return rs;
  })()
);
add(
  'a record moved to another environment: a break',
  (() => {
    const rs = chain(A, 4, undefined, k1, billing);
    rs[2].stream = { ...rs[2].stream, deployment_environment_name: 'staging' };
    return rs;
  })()
);
add(
  'a moved record relabelled in its own fields too: its hash breaks',
  (() => {
    const rs = chain(A, 4, undefined, k1, billing);
    rs[1].stream = { ...rs[1].stream, service_name: 'payroll-api' };
    rs[1].attributes['audit.chain.service'] = 'payroll-api';
    return rs;
  })()
);

const vectors = cases.map((c) => {
  const res = verifyChain(c.records.map(toInput), {
    fromStart: c.fromStart ?? true,
    keys: KEYS,
    requireKeyed: c.requireKeyed ?? false,
  });
  return {
    name: c.name,
    from_start: c.fromStart ?? true,
    require_keyed: c.requireKeyed ?? false,
    records: c.records,
    expect: {
      ok: res.ok,
      checked: res.checked,
      unchained: res.unchained,
      problems: res.problems.map((p) => [p.chainId, Number.isNaN(p.seq) ? 0 : p.seq, p.problem]),
      duplicates: res.duplicates.map((d) => [d.chainId, d.seq, d.copies]),
      chains: res.chains.map((s) => [s.chainId, s.first, s.last, s.records, s.lastHash]),
    },
  };
});

const out = path.join(__dirname, '..', 'test-vectors', 'chain-verify.json');
fs.writeFileSync(
  out,
  JSON.stringify(
    {
      description:
        'Attacks on a hash chain and what a verifier reports (docs/hash-chain.md, Verifying). Records in wire form; keys (hex) by audit.chain.key_id, given to the verifier in every case; problems as [chain, seq, kind] in report order (chains by id, then seq); seq 0 = no position.',
      keys: Object.fromEntries(Object.entries(KEYS).map(([id, k]) => [id, k.toString('hex')])),
      cases: vectors,
    },
    null,
    1
  ) + '\n'
);
console.log(`wrote ${vectors.length} cases to ${out}`);
for (const v of vectors) {
  console.log(
    `${v.expect.ok ? 'ok   ' : 'BREAK'} ${v.name}: ${JSON.stringify(v.expect.problems)} dup ${JSON.stringify(v.expect.duplicates)}`
  );
}
