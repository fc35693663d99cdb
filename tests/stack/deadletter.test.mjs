// Nothing dropped at the store: what Loki refuses for good (here a line over its size limit) is kept
// by the Collector's dead-letter queue (collector/attestloki), counted per tenant, announced in the
// tenant's trail, and replayed once the operator raises the limit. The rest of the batch lands at once.
// Talks only to 127.0.0.1; uses a tenant of its own.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';

import { lokiHeaders, operatorOverrides } from '../../scripts/stack/lib.mjs';
import { cfg, countsByAuditId, recentEvents, sendViaCollector, uniqueTenant } from './helpers.mjs';

async function metric(name, tenant) {
  const text = await (await fetch(`http://127.0.0.1:${cfg.collectorMetricsPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`tenant="${tenant}"`));
  return line ? Number(line.trim().split(/\s+/).pop()) : 0;
}

async function until(check, timeoutMillis = 90_000) {
  const deadline = Date.now() + timeoutMillis;
  for (;;) {
    const v = await check();
    if (v) {
      return v;
    }
    if (Date.now() > deadline) {
      return v;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

test(
  'a record Loki refuses is held, counted and announced, the rest lands, and it is replayed once Loki takes it',
  { timeout: 240_000 },
  async (t) => {
    const tenant = uniqueTenant('dlq');
    t.diagnostic(`tenant ${tenant}`);
    const events = recentEvents({ count: 20, tenant, seed: 5 });
    // One event's body is over Loki's max_line_size (256KB): a permanent 400 for that record.
    const big = events[7];
    big.body = `${big.body} ${'x'.repeat(300 * 1024)}`;
    const bigId = big.attributes['audit.id'];
    await sendViaCollector(tenant, events);

    const landed = await until(async () =>
      (await countsByAuditId(tenant)).size >= 19 ? await countsByAuditId(tenant) : undefined
    );
    assert.ok(landed, 'the 19 others are in Loki');
    assert.equal(landed.has(bigId), false);
    assert.equal(await until(async () => (await metric('attest_dead_letter_pending', tenant)) === 1), true, 'held: 1');
    assert.equal(await metric('attest_dead_letter_records', tenant), 1);

    // The tenant's trail says so: the event the starter rule "Audit events refused by the store" counts.
    const qs = new URLSearchParams({
      query: '{service_name="attest-collector"} | audit_event="audit.delivery.refused"',
      start: String((Date.now() - 600_000) * 1e6),
      end: String((Date.now() + 60_000) * 1e6),
    });
    const notice = await until(async () => {
      const body = await (
        await fetch(`${cfg.lokiUrl}/loki/api/v1/query_range?${qs}`, { headers: lokiHeaders(tenant) })
      ).json();
      return body.data?.result?.[0];
    });
    assert.ok(notice, 'an audit.delivery.refused event in the tenant');
    assert.equal(notice.stream.audit_category ?? notice.stream.audit_category, 'SYSTEM');

    // The operator raises the tenant's line size: the queue replays it within its interval.
    const file = operatorOverrides(cfg);
    const before = fs.readFileSync(file, 'utf8');
    try {
      fs.writeFileSync(file, `overrides:\n  ${JSON.stringify(tenant)}:\n    max_line_size: 1MB\n`);
      const replayed = await until(async () => (await countsByAuditId(tenant)).has(bigId), 120_000);
      assert.equal(replayed, true, 'the held record reached Loki');
    } finally {
      fs.writeFileSync(file, before);
    }
    assert.equal(await until(async () => (await metric('attest_dead_letter_pending', tenant)) === 0), true, 'held: 0');
    assert.equal(await metric('attest_dead_letter_replayed', tenant), 1);
    const counts = await countsByAuditId(tenant);
    assert.equal(counts.get(bigId), 1, 'once');
  }
);
