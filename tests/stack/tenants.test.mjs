// OTLP logs sent through the Collector with X-Scope-OrgID land in that tenant only, with the
// expected index labels and everything else as structured metadata.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { cfg, lokiQueryRange, recentEvents, sendViaCollector, uniqueTenant, waitForDistinct } from './helpers.mjs';

const INDEX_LABELS = ['audit_category', 'deployment_environment_name', 'service_name', 'severity_text'];

test('events sent as tenant-a are queryable as tenant-a with the expected labels and metadata', async () => {
  const tenantA = uniqueTenant('tenant-a');
  const tenantB = uniqueTenant('tenant-b');
  const events = recentEvents({ count: 200, tenant: tenantA });
  await sendViaCollector(tenantA, events);

  const counts = await waitForDistinct(tenantA, events.length);
  assert.equal(counts.size, events.length, 'every event arrives');

  const res = await lokiQueryRange({
    lokiUrl: cfg.lokiUrl,
    tenant: tenantA,
    query: '{service_name=~".+"}',
    startNanos: (BigInt(Date.now() - 10 * 60_000) * 1_000_000n).toString(),
    limit: 5000,
  });
  const byId = new Map(events.map((e) => [e.attributes['audit.id'], e]));
  let checked = 0;
  for (const stream of res.data.result) {
    assert.deepEqual(Object.keys(stream.stream).sort(), INDEX_LABELS, 'only the four index labels');
    for (const [, line, { structuredMetadata: md }] of stream.values) {
      const sent = byId.get(md.audit_id);
      assert.ok(sent, `unknown audit_id ${md.audit_id}`);
      assert.equal(line, sent.body);
      assert.equal(stream.stream.service_name, sent.service.name);
      assert.equal(stream.stream.deployment_environment_name, sent.service.environment);
      assert.equal(stream.stream.audit_category, sent.attributes['audit.category']);
      assert.equal(stream.stream.severity_text, sent.severityText);
      for (const [key, value] of Object.entries(sent.attributes)) {
        if (key === 'audit.category') {
          continue;
        }
        assert.equal(md[key.replaceAll('.', '_')], value, `${key} kept as structured metadata`);
      }
      checked++;
    }
  }
  assert.equal(checked, events.length);

  const other = await lokiQueryRange({
    lokiUrl: cfg.lokiUrl,
    tenant: tenantB,
    query: '{service_name=~".+"}',
    startNanos: (BigInt(Date.now() - 10 * 60_000) * 1_000_000n).toString(),
  });
  assert.equal(other.data.result.length, 0, 'tenant-b sees none of tenant-a events');
});

test('the event type is copied from the LogRecord eventName when the attribute is absent', async () => {
  const tenant = uniqueTenant('event-name');
  const events = recentEvents({ count: 20, tenant }).map((e) => {
    const { 'audit.event': _dropped, ...attributes } = e.attributes;
    return { ...e, attributes };
  });
  await sendViaCollector(tenant, events);
  await waitForDistinct(tenant, events.length);
  const res = await lokiQueryRange({
    lokiUrl: cfg.lokiUrl,
    tenant,
    query: '{service_name=~".+"}',
    startNanos: (BigInt(Date.now() - 10 * 60_000) * 1_000_000n).toString(),
  });
  const stored = res.data.result.flatMap((s) => s.values.map((v) => v[2].structuredMetadata));
  assert.equal(stored.length, events.length);
  const sentTypes = new Map(events.map((e) => [e.attributes['audit.id'], e.eventName]));
  for (const md of stored) {
    assert.equal(md.audit_event, sentTypes.get(md.audit_id));
  }
});

test('the Collector redacts a secret that reached it (defence in depth)', async () => {
  const tenant = uniqueTenant('redaction');
  const [event] = recentEvents({ count: 1, tenant });
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlLXZhbHVlLXgx';
  const planted = {
    ...event,
    body: `token leaked ${jwt}`,
    attributes: {
      ...event.attributes,
      'audit.metadata': JSON.stringify({ note: `AKIAIOSFODNN7EXAMPLE` }),
      'db.password': 'hunter2',
    },
  };
  await sendViaCollector(tenant, [planted]);
  await waitForDistinct(tenant, 1);
  const res = await lokiQueryRange({
    lokiUrl: cfg.lokiUrl,
    tenant,
    query: '{service_name=~".+"}',
    startNanos: (BigInt(Date.now() - 10 * 60_000) * 1_000_000n).toString(),
  });
  const stored = JSON.stringify(res.data.result);
  for (const secret of [jwt, 'AKIAIOSFODNN7EXAMPLE', 'hunter2']) {
    assert.ok(!stored.includes(secret), `${secret} must not be stored`);
  }
});
