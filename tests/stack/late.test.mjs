// No event is dropped at the store for being late: a producer's spool replayed days after newer events
// of the same service reached Loki lands whole (each late day is a stream of its own), and the
// Collector's failed-send counter does not move.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { generateEvents } from '../../scripts/demo/generator.mjs';
import { cfg, countsByAuditId, sendViaCollector, uniqueTenant } from './helpers.mjs';

const DAY = 24 * 3600 * 1000;

async function failedSends() {
  const text = await (await fetch(`http://127.0.0.1:${cfg.collectorMetricsPort}/metrics`)).text();
  return [...text.matchAll(/^otelcol_exporter_send_failed_log_records(?:_total)?\{[^}]*\} (\d+)/gm)].reduce(
    (n, m) => n + Number(m[1]),
    0
  );
}

const ofService = (events, name) => events.map((e) => ({ ...e, service: { name, environment: 'test' } }));

test('a spool five days old, replayed after newer events of the same stream, lands whole', async () => {
  const tenant = uniqueTenant('late');
  const service = `late-${Date.now().toString(36)}`;
  const before = await failedSends();
  const now = Date.now();
  // Newer events first: the stream's newest entry is now.
  const fresh = ofService(
    [...generateEvents({ count: 20, startMillis: now - 60_000, endMillis: now, seed: 41, tenant })],
    service
  );
  await sendViaCollector(tenant, fresh);
  const waitFor = async (n) => {
    for (let i = 0; i < 120; i++) {
      const got = await countsByAuditId(tenant, 8 * 24 * 60);
      if (got.size >= n) {
        return got;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    return countsByAuditId(tenant, 8 * 24 * 60);
  };
  assert.equal((await waitFor(fresh.length)).size, fresh.length);
  // Then the spool: five and six days old, and two days old, in one replay, out of order.
  const spool = ofService(
    [
      ...generateEvents({ count: 300, startMillis: now - 6 * DAY, endMillis: now - 5 * DAY, seed: 42, tenant }),
      ...generateEvents({
        count: 100,
        startMillis: now - 2 * DAY - 3600_000,
        endMillis: now - 2 * DAY,
        seed: 43,
        tenant,
      }),
    ].reverse(),
    service
  );
  await sendViaCollector(tenant, spool);
  const all = await waitFor(fresh.length + spool.length);
  assert.equal(all.size, fresh.length + spool.length, 'every replayed event is in Loki');
  assert.ok(
    [...all.values()].every((n) => n === 1),
    'each once'
  );
  assert.equal((await failedSends()) - before, 0, 'the Collector dropped nothing');
});
