// A service in Python, recording audit events with the stock OpenTelemetry SDK (examples/python, no
// Attest package): its WARNING, ERROR and CRITICAL events (sent as WARN and FATAL with severity numbers
// 13, 17 and 21, as the SDK does) land in the audit severities through the Collector, so the viewer's
// severity filter finds them and the Overview counts them; without chain fields they are unchained,
// not integrity breaks.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';

import { repoRoot } from '../../scripts/stack/lib.mjs';
import { RESOURCES, cfg, eventually, grafana, lastMinutes, lokiEntries, resource } from './helpers.mjs';

const example = path.join(repoRoot, 'examples', 'python');
const service = `py-billing-${randomBytes(3).toString('hex')}`;
let range;
let entries;

/** A virtualenv with the example's pinned requirements, made once per requirements file. */
function python() {
  const requirements = fs.readFileSync(path.join(example, 'requirements.txt'));
  const key = createHash('sha256').update(requirements).digest('hex').slice(0, 12);
  const venv = path.join(os.homedir(), '.cache', 'attest', 'python', `venv-${key}`);
  const bin = path.join(venv, 'bin', 'python');
  if (!fs.existsSync(path.join(venv, '.complete'))) {
    fs.rmSync(venv, { recursive: true, force: true });
    execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
    execFileSync(bin, ['-m', 'pip', 'install', '-q', '-r', path.join(example, 'requirements.txt')], {
      stdio: 'inherit',
    });
    fs.writeFileSync(path.join(venv, '.complete'), '');
  }
  return bin;
}

before(async () => {
  const bin = python();
  execFileSync(bin, [path.join(example, 'audit_producer.py')], {
    env: { ...process.env, ATTEST_OTLP_URL: cfg.otlpUrl, ATTEST_TENANT: cfg.defaultTenant, ATTEST_SERVICE: service },
    stdio: 'inherit',
  });
  range = lastMinutes(10);
  entries = await eventually(async () => {
    const got = await lokiEntries(cfg.defaultTenant, `{service_name="${service}"}`, range);
    return got.length === 4 ? got : undefined;
  });
  assert.ok(entries, 'the four events are in Loki');
});

test('the SDK’s WARN and FATAL land as WARNING and CRITICAL, with the wire attributes parsed', () => {
  const byEvent = Object.fromEntries(entries.map((e) => [e.labels.audit_event, e.labels]));
  assert.equal(byEvent['auth.login'].severity_text, 'INFO');
  assert.equal(byEvent['invoice.approved'].severity_text, 'WARNING');
  assert.equal(byEvent['payout.refused'].severity_text, 'ERROR');
  assert.equal(byEvent['security.key.revoked_use'].severity_text, 'CRITICAL');
  assert.equal(byEvent['invoice.approved'].audit_category, 'DATA_MODIFY');
  assert.equal(byEvent['invoice.approved'].audit_compliance, 'SOX');
  assert.equal(byEvent['invoice.approved'].user_id, 'u-py-1');
  assert.deepEqual(JSON.parse(byEvent['invoice.approved'].audit_changes).after, { status: 'approved' });
});

test('the viewer’s severity filters find them and the Overview counts them', async () => {
  for (const [severity, type] of [
    ['WARNING', 'invoice.approved'],
    ['CRITICAL', 'security.key.revoked_use'],
    ['ERROR', 'payout.refused'],
  ]) {
    const page = await resource('events', { service, severity, from: range.from, to: range.to, pageSize: '25' });
    assert.equal(page.status, 200, JSON.stringify(page.body));
    assert.deepEqual(
      page.body.events.map((e) => [e.eventType, e.severity]),
      [[type, severity]]
    );
  }
  const overview = await resource('overview', { service, from: range.from, to: range.to });
  assert.equal(overview.status, 200);
  assert.equal(overview.body.total, 4);
  assert.deepEqual(overview.body.bySeverity, { CRITICAL: 1, ERROR: 1, WARNING: 1, INFO: 1 });
  assert.equal(overview.body.warnings, 1);
  assert.equal(overview.body.criticalAndError, 2);
});

test('without chain fields they are unchained: counted by a verification, not breaks', async () => {
  const started = await grafana('POST', `${RESOURCES}/integrity/verifications`, {
    body: { from: range.from, to: range.to, service },
  });
  assert.equal(started.status, 202, JSON.stringify(started.body));
  const done = await eventually(async () => {
    const list = await grafana('GET', `${RESOURCES}/integrity/verifications`);
    const v = list.body.verifications.find((x) => x.id === started.body.id);
    return v && v.status !== 'pending' && v.status !== 'running' ? v : undefined;
  });
  assert.equal(done.status, 'completed', JSON.stringify(done));
  assert.equal(done.summary.unchained, 4);
  assert.equal(done.summary.records, 0);
  assert.equal(done.summary.problemCount, 0, JSON.stringify(done.summary.problems));
});
