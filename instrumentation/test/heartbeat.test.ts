import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createAuditPipeline } from '../src';
import { verifyChain } from '../src/verifyChain';
import { ControlledExporter } from './helpers';

describe('heartbeats', () => {
  it('records a heartbeat when idle and closes the chain at shutdown, all in one verifiable chain', async () => {
    const exporter = new ControlledExporter();
    const pipeline = createAuditPipeline({
      tenant: 't',
      serviceName: 'hb-test',
      exporter,
      meterProvider: false,
      heartbeatMillis: 200,
      chainKey: { id: 'k', secret: Buffer.from('a heartbeat test key of 32 bytes') },
    });
    pipeline.record({ type: 'user.updated', category: 'USER_MGMT', action: 'update', actor: { id: 'u-1' } });
    await new Promise((r) => setTimeout(r, 700));
    await pipeline.shutdown();
    const recs = exporter.records;
    const types = recs.map((r) => r.attributes['audit.event']);
    assert.equal(types[0], 'user.updated');
    assert.ok(types.filter((t) => t === 'audit.chain.heartbeat').length >= 1, types.join(','));
    assert.equal(types[types.length - 1], 'audit.chain.closed');
    const heartbeat = recs.find((r) => r.attributes['audit.event'] === 'audit.chain.heartbeat')!;
    assert.equal(heartbeat.attributes['audit.category'], 'SYSTEM');
    assert.equal(heartbeat.attributes['audit.actor.type'], 'system');
    const res = verifyChain(recs as never, {
      keys: { k: Buffer.from('a heartbeat test key of 32 bytes') },
      requireKeyed: true,
    });
    assert.deepEqual(res.problems, []);
  });

  it('records none while events keep coming, and none at all when off', async () => {
    const exporter = new ControlledExporter();
    const pipeline = createAuditPipeline({ tenant: 't', serviceName: 'hb-off', exporter, meterProvider: false });
    pipeline.record({ type: 'user.updated', category: 'USER_MGMT', action: 'update', actor: { id: 'u-1' } });
    await new Promise((r) => setTimeout(r, 300));
    await pipeline.shutdown();
    assert.deepEqual(
      exporter.records.map((r) => r.attributes['audit.event']),
      ['user.updated']
    );
  });
});
