import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { type CanonicalInput, canonicalHash } from '../src/canonical';
import { fromLokiEntry } from '../src/lokiRecord';
import { verifyChain } from '../src/verifyChain';

interface Vector {
  name: string;
  from_start: boolean;
  require_keyed: boolean;
  records: Array<{
    time_unix_nano: string;
    severity_text?: string;
    body?: string;
    attributes: Record<string, string | number | boolean>;
    stream?: { service_name?: string; deployment_environment_name?: string };
  }>;
  expect: {
    ok: boolean;
    checked: number;
    unchained: number;
    problems: unknown[];
    duplicates: unknown[];
    chains: unknown[];
  };
}

const file = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'test-vectors', 'chain-verify.json'), 'utf8'));
const vectors: Vector[] = file.cases;
const keys: Record<string, Buffer> = Object.fromEntries(
  Object.entries(file.keys as Record<string, string>).map(([id, hex]) => [id, Buffer.from(hex, 'hex')])
);

const toInput = (w: Vector['records'][number]): CanonicalInput => {
  const ns = BigInt(w.time_unix_nano);
  return {
    hrTime: [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)],
    severityText: w.severity_text,
    body: w.body,
    attributes: { ...w.attributes },
    stream: w.stream && { service: w.stream.service_name, environment: w.stream.deployment_environment_name },
  };
};

describe('verifyChain against test-vectors/chain-verify.json', () => {
  for (const v of vectors) {
    it(v.name, () => {
      const res = verifyChain(v.records.map(toInput), { fromStart: v.from_start, keys, requireKeyed: v.require_keyed });
      assert.deepEqual(
        {
          ok: res.ok,
          checked: res.checked,
          unchained: res.unchained,
          problems: res.problems.map((p) => [p.chainId, Number.isNaN(p.seq) ? 0 : p.seq, p.problem]),
          duplicates: res.duplicates.map((d) => [d.chainId, d.seq, d.copies]),
          chains: res.chains.map((s) => [s.chainId, s.first, s.last, s.records, s.lastHash]),
        },
        v.expect
      );
    });
  }

  it('covers every attack the integrity design names', () => {
    const names = vectors.map((v) => v.name).join('\n');
    for (const attack of [
      'duplicate',
      'deleted from the middle',
      'truncated tail',
      'changed field',
      'copy carrying the genuine',
      'forged insert',
      'swapped',
      'forged append',
    ]) {
      assert.match(names, new RegExp(attack));
    }
  });
});

describe('fromLokiEntry', () => {
  it('gives back the record the producer hashed, from labels and structured metadata as Loki returns them', () => {
    const v = vectors[0].records.find((r) => r.attributes['audit.chain.seq'] === 1)!;
    const labels: Record<string, string> = {
      service_name: 'billing',
      deployment_environment_name: 'prod',
      severity_text: v.severity_text ?? '',
      observed_timestamp: '1',
      scope_name: 'x',
    };
    for (const [k, val] of Object.entries(v.attributes)) {
      labels[k.replace(/\./g, '_')] = String(val);
    }
    const rec = fromLokiEntry(v.time_unix_nano, v.body ?? '', labels);
    assert.equal(canonicalHash(rec), v.attributes['audit.chain.hash']);
    assert.equal(rec.attributes['audit.chain.seq'], '1');
    assert.equal(verifyChain([rec]).ok, true);
  });

  it('keeps covered names it does not know, under the same canonical name', () => {
    const rec = fromLokiEntry('1767225600000000001', 'x', {
      audit_custom_thing: 'a',
      user_agent_original: 'ua',
      http_route: 'no',
    });
    assert.deepEqual(rec.attributes, { 'audit.custom_thing': 'a', 'user_agent.original': 'ua' });
    assert.deepEqual(rec.hrTime, [1767225600, 1]);
  });
});
