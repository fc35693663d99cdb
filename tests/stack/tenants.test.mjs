// OTLP logs sent through the Collector with X-Scope-OrgID land in that tenant only, with the
// expected index labels and everything else as structured metadata.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';

import { otlpEnvHeaders } from '../../scripts/demo/otlp.mjs';
import { repoRoot } from '../../scripts/stack/lib.mjs';

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

async function plantedSecretsReachLokiAsNone(encoding, send) {
  // The package bypassed: its wire shape (audit.metadata and audit.changes as JSON strings) sent
  // straight to the Collector with the shared planted secrets (instrumentation/test-vectors/secrets.json).
  const tenant = uniqueTenant(`redaction-${encoding}`);
  const { cases } = JSON.parse(
    fs.readFileSync(path.join(repoRoot, 'instrumentation', 'test-vectors', 'secrets.json'), 'utf8')
  );
  const base = recentEvents({ count: cases.length, tenant });
  const planted = cases.map((c, i) => ({
    ...base[i],
    body: `seen: ${c.text}`,
    attributes: {
      ...base[i].attributes,
      'audit.target.name': c.text,
      'url.full': `https://api.example.com/v1/items?page=2&note=${encodeURIComponent(c.text)}&access_token=ya29.Qx${i}secret`,
      'audit.metadata': JSON.stringify({ request: { headers: { 'x-note': c.text } }, db_password: `pw-${i}-hunter2` }),
      'audit.changes': JSON.stringify({
        before: { note: 'none' },
        after: { note: c.text, nested: [{ apiKey: `k-${i}-zzz` }] },
      }),
    },
  }));
  await send(tenant, planted);
  const counts = await waitForDistinct(tenant, planted.length);
  assert.equal(counts.size, planted.length, 'every event arrives');
  const res = await lokiQueryRange({
    lokiUrl: cfg.lokiUrl,
    tenant,
    query: '{service_name=~".+"}',
    startNanos: (BigInt(Date.now() - 10 * 60_000) * 1_000_000n).toString(),
    limit: 5000,
  });
  const stored = JSON.stringify(res.data.result);
  const leaked = cases.filter((c) => stored.includes(c.secret)).map((c) => c.kind);
  for (let i = 0; i < cases.length; i++) {
    for (const s of [`pw-${i}-hunter2`, `k-${i}-zzz`, `ya29.Qx${i}secret`]) {
      if (stored.includes(s)) {
        leaked.push(s);
      }
    }
  }
  assert.deepEqual(leaked, [], 'secrets that reached Loki');
  for (const kind of new Set(cases.map((c) => c.kind))) {
    assert.ok(stored.includes(`[REDACTED:${kind}]`), `marker of ${kind}`);
  }
  // What is not secret arrives as sent: the JSON strings stay JSON, the chain fields untouched.
  for (const stream of res.data.result) {
    for (const [, , { structuredMetadata: md }] of stream.values) {
      assert.doesNotThrow(() => JSON.parse(md.audit_metadata));
      assert.equal(JSON.parse(md.audit_changes).before.note, 'none');
      assert.match(md.url_full, /^https:\/\/api\.example\.com\/v1\/items\?page=2&/);
    }
  }
}

test('the Collector alone removes every secret kind the package does (OTLP/JSON): body, attributes, JSON strings, URL queries', () =>
  plantedSecretsReachLokiAsNone('json', sendViaCollector));

test('the same in OTLP/protobuf, as the stock SDKs of other languages send', () =>
  plantedSecretsReachLokiAsNone('protobuf', async (tenant, events) => {
    const res = await fetch(`${cfg.otlpUrl}/v1/logs`, {
      method: 'POST',
      headers: { ...otlpEnvHeaders(), 'Content-Type': 'application/x-protobuf', 'X-Scope-OrgID': tenant },
      body: toOtlpProtobuf(events),
    });
    assert.equal(res.status, 200, await res.text());
  }));

/** The events as an OTLP/protobuf request, encoded by the OpenTelemetry JS serializer. */
function toOtlpProtobuf(events) {
  const hr = (ns) => [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];
  return ProtobufLogsSerializer.serializeRequest(
    events.map((e) => ({
      hrTime: hr(e.timeUnixNano),
      hrTimeObserved: hr(e.timeUnixNano),
      severityNumber: e.severityNumber,
      severityText: e.severityText,
      body: e.body,
      attributes: e.attributes,
      droppedAttributesCount: 0,
      resource: resourceFromAttributes({
        'service.name': e.service.name,
        'deployment.environment.name': e.service.environment,
      }),
      instrumentationScope: { name: 'attest-test' },
    }))
  );
}
