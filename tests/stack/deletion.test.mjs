// Audit entries are immutable: Loki's log deletion API refuses a delete request, and the entries stay.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { cfg, recentEvents, sendViaCollector, uniqueTenant, waitForDistinct } from './helpers.mjs';
import { lokiHeaders } from '../../scripts/stack/lib.mjs';

test('a delete request is refused by Loki and deletes nothing', async () => {
  const tenant = uniqueTenant('deletion');
  const events = recentEvents({ count: 20, tenant });
  await sendViaCollector(tenant, events);
  assert.equal((await waitForDistinct(tenant, events.length)).size, events.length);

  const start = Math.floor((Date.now() - 3_600_000) / 1000);
  const params = new URLSearchParams({
    query: '{service_name=~".+"}',
    start: String(start),
    end: String(start + 7200),
  });
  const res = await fetch(`${cfg.lokiUrl}/loki/api/v1/delete?${params}`, {
    method: 'POST',
    headers: lokiHeaders(tenant),
  });
  const body = await res.text();
  assert.ok(res.status >= 400 && res.status < 500, `delete answered ${res.status}: ${body}`);
  const listed = await fetch(`${cfg.lokiUrl}/loki/api/v1/delete`, { headers: lokiHeaders(tenant) });
  const requests = listed.ok ? await listed.json() : [];
  assert.deepEqual(requests, [], 'no delete request is queued');
  assert.equal((await waitForDistinct(tenant, events.length)).size, events.length, 'every entry is still there');
});
