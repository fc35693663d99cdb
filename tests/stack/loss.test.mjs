// Nothing is lost and nothing doubles when Loki goes away mid-stream or the Collector restarts
// with data in its persistent queue. Talks only to 127.0.0.1 and stops by itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { startService, stopService } from '../../scripts/stack/lib.mjs';
import { countsByAuditId, recentEvents, sendViaCollector, uniqueTenant, waitForDistinct } from './helpers.mjs';

const BATCH = 50;

/** Sends `events` in batches of BATCH, one batch every `gapMillis`. */
async function stream(tenant, events, gapMillis = 10) {
  for (let i = 0; i < events.length; i += BATCH) {
    await sendViaCollector(tenant, events.slice(i, i + BATCH));
    await new Promise((r) => setTimeout(r, gapMillis));
  }
}

test(
  'every event arrives exactly once across a Loki outage and a Collector restart with a full queue',
  { timeout: 600_000 },
  async (t) => {
    const tenant = uniqueTenant('loss');
    t.diagnostic(`tenant ${tenant}`);
    const events = recentEvents({ count: 5000, tenant, seed: 11 });
    const part = (k) => events.slice(k * 1000, (k + 1) * 1000);

    try {
      await stream(tenant, part(0));

      // Loki stops mid-stream; producers keep sending into the Collector's persistent queue.
      const lokiStopped = stopService('loki');
      await stream(tenant, part(1));
      await lokiStopped;
      await stream(tenant, part(2));
      await startService('loki');

      // Loki away again so the queue surely holds data; then the Collector is killed outright.
      await stopService('loki');
      await stream(tenant, part(3));
      await stopService('collector', { signal: 'SIGKILL' });
      await startService('collector');
      await startService('loki');
      await stream(tenant, part(4));
    } finally {
      // Leave the stack as it was found, whatever happened above.
      await startService('loki');
      await startService('collector');
    }

    const counts = await waitForDistinct(tenant, events.length, { timeoutMillis: 180_000 });
    const missingIndexes = events.flatMap((e, i) => (counts.has(e.attributes['audit.id']) ? [] : [i]));
    const doubled = [...counts].filter(([, n]) => n !== 1);
    const phases = [
      'before the outage',
      'while Loki stopped',
      'while Loki was down',
      'before the Collector kill',
      'after the restarts',
    ];
    const lostByPhase = phases.map(
      (name, k) => `${name}: ${missingIndexes.filter((i) => Math.floor(i / 1000) === k).length}`
    );
    assert.equal(
      missingIndexes.length,
      0,
      `${missingIndexes.length} events lost (${lostByPhase.join(', ')}; first ${missingIndexes.slice(0, 10)})`
    );
    assert.equal(doubled.length, 0, `${doubled.length} events stored more than once`);
    assert.equal(counts.size, events.length);
    // Nothing arrives that was not sent.
    const sentIds = new Set(events.map((e) => e.attributes['audit.id']));
    assert.ok([...counts.keys()].every((id) => sentIds.has(id)));
    // The final count does not move once settled (no late duplicates from a replay).
    await new Promise((r) => setTimeout(r, 3000));
    const again = await countsByAuditId(tenant);
    assert.equal(
      [...again.values()].reduce((a, b) => a + b, 0),
      events.length
    );
  }
);
