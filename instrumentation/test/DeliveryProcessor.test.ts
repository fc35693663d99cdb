import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { MeterProvider, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import { canonicalHash, GENESIS_HASH } from '../src/canonical';
import { verifyChain } from '../src/verifyChain';
import { AuditBackpressureError, AuditDeliveryError } from '../src/errors';
import { createAuditPipeline, type AuditPipelineOptions } from '../src/pipeline';
import { actor, baseEvent, ControlledExporter, tmpDir, waitUntil } from './helpers';

class TestReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function setup(options: Partial<AuditPipelineOptions> = {}) {
  const exporter = new ControlledExporter();
  const pipeline = createAuditPipeline({
    tenant: 't1',
    serviceName: 'svc',
    exporter,
    meterProvider: false,
    ...options,
    delivery: {
      scheduledDelayMillis: 5,
      retryInitialDelayMillis: 5,
      retryMaxDelayMillis: 20,
      spoolProbeMillis: 20,
      ...(options.delivery ?? {}),
    },
  });
  return { exporter, pipeline };
}

const seqs = (recs: Array<{ attributes: Record<string, unknown> }>) =>
  recs.map((r) => r.attributes['audit.chain.seq'] as number);

/** Checks a chain end to end like a verifier would. */
function assertChain(
  recs: Array<{ attributes: Record<string, unknown>; hrTime: [number, number]; body?: unknown; severityText?: string }>
) {
  const sorted = [...recs].sort(
    (a, b) => (a.attributes['audit.chain.seq'] as number) - (b.attributes['audit.chain.seq'] as number)
  );
  let prev = GENESIS_HASH;
  sorted.forEach((r, i) => {
    assert.equal(r.attributes['audit.chain.seq'], i + 1);
    assert.equal(r.attributes['audit.chain.prev'], prev);
    assert.equal(r.attributes['audit.chain.hash'], canonicalHash(r as never));
    prev = r.attributes['audit.chain.hash'] as string;
  });
}

describe('DeliveryProcessor (through createAuditPipeline)', () => {
  describe('export', () => {
    it('should export every record in order, processed (redacted, tagged, chained)', async () => {
      const { exporter, pipeline } = setup({ delivery: { maxExportBatchSize: 64 } });
      for (let i = 0; i < 1000; i++) {
        pipeline.record({ ...baseEvent, description: `event ${i} Bearer abcdefghijklmnopqrstu`, metadata: { i } });
      }
      await pipeline.flush();
      const recs = exporter.records;
      assert.equal(recs.length, 1000);
      assert.deepEqual(
        seqs(recs),
        Array.from({ length: 1000 }, (_, i) => i + 1)
      );
      assert.ok(exporter.batches.every((b) => b.length <= 64));
      assert.equal(recs[5].body, 'event 5 Bearer [REDACTED:bearer_token]');
      assert.equal(recs[5].attributes['audit.compliance'], 'SOX,ISO27001,SOC2');
      assertChain(recs as never);
      const clean = verifyChain(recs);
      assert.deepEqual([clean.ok, clean.checked, clean.problems, clean.duplicates], [true, 1000, [], []]);
      // Tampering, deletion and reordering are all found.
      const tampered = recs.map((r) => ({
        hrTime: r.hrTime,
        severityText: r.severityText,
        body: r.body,
        attributes: { ...r.attributes },
      }));
      tampered[10].attributes['user.id'] = 'mallory';
      tampered.splice(500, 1);
      assert.deepEqual(
        verifyChain(tampered).problems.map((p) => [p.seq, p.problem]),
        [
          [11, 'hash_mismatch'],
          [12, 'prev_mismatch'],
          [502, 'gap'],
        ]
      );
      assert.equal(verifyChain(tampered.slice(600), { fromStart: false }).ok, true);
      assert.equal(verifyChain(tampered.slice(600)).ok, false);
      assert.deepEqual(
        { recorded: pipeline.stats().recorded, exported: pipeline.stats().exported, failed: pipeline.stats().failed },
        { recorded: 1000, exported: 1000, failed: 0 }
      );
      await pipeline.shutdown();
    });

    it('should retry a failing export and deliver once the receiver is back', async () => {
      const { exporter, pipeline } = setup();
      exporter.down = true;
      pipeline.record(baseEvent);
      pipeline.record(baseEvent);
      await waitUntil(() => exporter.attempts >= 3);
      exporter.down = false;
      await pipeline.flush();
      assert.equal(exporter.records.length, 2);
      assert.ok(pipeline.stats().retries >= 2);
      await pipeline.shutdown();
    });
  });

  describe('backpressure', () => {
    it('should throw AuditBackpressureError when the queue is full and there is no spool, and accept again later', async () => {
      const { exporter, pipeline } = setup({ delivery: { maxQueueSize: 10, maxExportBatchSize: 5 } });
      exporter.down = true;
      let accepted = 0;
      let refused: unknown;
      for (let i = 0; i < 50 && !refused; i++) {
        try {
          pipeline.record(baseEvent);
          accepted++;
        } catch (e) {
          refused = e;
        }
      }
      assert.ok(refused instanceof AuditBackpressureError);
      assert.ok(accepted <= 15, `accepted ${accepted}`);
      assert.ok(pipeline.stats().queued <= 15);
      const waiting = pipeline.waitForCapacity();
      exporter.down = false;
      await waiting;
      pipeline.record(baseEvent);
      await pipeline.flush();
      assert.equal(exporter.records.length, accepted + 1);
      await pipeline.shutdown();
    });
  });

  describe('recordAndConfirm', () => {
    it('should resolve only after the receiver acknowledged the batch', async () => {
      const { exporter, pipeline } = setup({ delivery: { scheduledDelayMillis: 10000 } });
      exporter.delayMillis = 50;
      const started = Date.now();
      const id = await pipeline.recordAndConfirm(baseEvent);
      assert.ok(Date.now() - started >= 45);
      assert.ok(exporter.records.some((r) => r.attributes['audit.id'] === id));
      await pipeline.shutdown();
    });

    it('should reject with AuditDeliveryError on timeout, and the event is still delivered later', async () => {
      const { exporter, pipeline } = setup();
      exporter.down = true;
      await assert.rejects(pipeline.recordAndConfirm(baseEvent, { timeoutMillis: 100 }), AuditDeliveryError);
      exporter.down = false;
      await pipeline.flush();
      assert.equal(exporter.records.length, 1);
      await pipeline.shutdown();
    });

    it('should reject an invalid event with AuditValidationError and record nothing', async () => {
      const { exporter, pipeline } = setup();
      await assert.rejects(pipeline.recordAndConfirm({ ...baseEvent, category: 'NOPE' as never }), {
        name: 'AuditValidationError',
      });
      await pipeline.flush();
      assert.equal(exporter.records.length, 0);
      await pipeline.shutdown();
    });
  });

  describe('spool', () => {
    it('should spool past the retry budget and replay in order when the receiver is back; confirm waits for replay', async () => {
      const dir = tmpDir();
      const { exporter, pipeline } = setup({
        spoolDir: dir,
        delivery: { retryBudgetMillis: 100, maxQueueSize: 50, maxExportBatchSize: 20 },
      });
      exporter.down = true;
      const confirmed = pipeline.recordAndConfirm(baseEvent);
      for (let i = 0; i < 500; i++) {
        pipeline.record({ ...baseEvent, metadata: { i, apiKey: 'k-123' } });
      }
      await waitUntil(() => pipeline.stats().spooled >= 501);
      assert.ok(pipeline.stats().queued <= 50);
      assert.ok(fs.readdirSync(dir).some((f) => f.startsWith('seg-')));
      const onDisk = fs
        .readdirSync(dir)
        .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
        .join('');
      assert.ok(!onDisk.includes('k-123'), 'spool holds redacted records only');
      exporter.down = false;
      await confirmed;
      await waitUntil(() => !pipeline.stats().spooling && pipeline.stats().spoolPending === 0);
      await pipeline.flush();
      const recs = exporter.records;
      const distinct = new Set(recs.map((r) => r.attributes['audit.id']));
      assert.equal(distinct.size, 501);
      assert.deepEqual(
        seqs(recs),
        Array.from({ length: 501 }, (_, i) => i + 1),
        'replayed in order'
      );
      assertChain(recs as never);
      assert.equal(pipeline.stats().replayed, 501);
      assert.equal(fs.readdirSync(dir).filter((f) => f.startsWith('seg-')).length, 0);
      // Back to in-memory delivery.
      pipeline.record(baseEvent);
      await pipeline.flush();
      assert.equal(exporter.records.length, 502);
      await pipeline.shutdown();
    });

    it('should spool what is left at shutdown and replay it in the next process', async () => {
      const dir = tmpDir();
      const first = setup({ spoolDir: dir, delivery: { shutdownTimeoutMillis: 100 } });
      first.exporter.down = true;
      const ids = Array.from({ length: 20 }, () => first.pipeline.record(baseEvent));
      await first.pipeline.shutdown();
      assert.equal(first.exporter.records.length, 0);
      assert.equal(first.pipeline.stats().spooled, 20);

      const second = setup({ spoolDir: dir });
      await waitUntil(() => second.exporter.records.length >= 20 && !second.pipeline.stats().spooling);
      assert.deepEqual(
        second.exporter.records.map((r) => r.attributes['audit.id']),
        ids
      );
      assert.equal(second.exporter.records[0].resource.attributes['service.name'], 'svc');
      await second.pipeline.shutdown();
    });

    it('should spool everything unacknowledged when the process exits without shutdown', async () => {
      const dir = tmpDir();
      let out = '';
      try {
        execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures-exit.ts'), dir, '700'], {
          encoding: 'utf8',
        });
      } catch (e) {
        const err = e as { status: number; stdout: string };
        assert.equal(err.status, 3);
        out = err.stdout;
      }
      const ids = JSON.parse(out) as string[];
      assert.equal(ids.length, 705);
      const { exporter, pipeline } = setup({ spoolDir: dir });
      await waitUntil(() => !pipeline.stats().spooling && exporter.records.length >= 705);
      const got = exporter.records.map((r) => r.attributes['audit.id']);
      assert.deepEqual([...new Set(got)].sort(), [...ids].sort(), 'every event recorded before exit arrives');
      assert.deepEqual(
        [...new Set(exporter.records.map((r) => r.attributes['audit.chain.seq']))],
        Array.from({ length: 705 }, (_, i) => i + 1)
      );
      await pipeline.shutdown();
    });

    it('should replay readable lines of a torn segment and keep the unreadable ones aside', async () => {
      const dir = tmpDir();
      const first = setup({ spoolDir: dir, delivery: { shutdownTimeoutMillis: 50 } });
      first.exporter.down = true;
      const ids = [first.pipeline.record(baseEvent), first.pipeline.record(baseEvent)];
      await first.pipeline.shutdown();
      const [seg] = fs.readdirSync(dir).filter((f) => f.startsWith('seg-'));
      fs.appendFileSync(path.join(dir, seg), '{"t":[1,2],"a":{"audit.id":"torn');
      const second = setup({ spoolDir: dir });
      await waitUntil(() => !second.pipeline.stats().spooling);
      assert.deepEqual(
        second.exporter.records.map((r) => r.attributes['audit.id']),
        ids
      );
      assert.equal(second.pipeline.stats().failed, 1);
      assert.match(fs.readFileSync(path.join(dir, `corrupt-${seg}`), 'utf8'), /torn/);
      await second.pipeline.shutdown();
    });

    it('should keep records in memory and apply backpressure when the spool cannot be written', async () => {
      const dir = tmpDir();
      const { exporter, pipeline } = setup({
        spoolDir: dir,
        delivery: { retryBudgetMillis: 30, maxQueueSize: 20, maxExportBatchSize: 10 },
      });
      exporter.down = true;
      // The disk goes away: the spool directory becomes a file, so no segment can be opened.
      fs.rmSync(dir, { recursive: true, force: true });
      fs.writeFileSync(dir, 'not a directory');
      const ids = new Set<string>();
      let refused: unknown;
      for (let i = 0; i < 200 && !refused; i++) {
        try {
          ids.add(pipeline.record(baseEvent));
        } catch (e) {
          refused = e;
        }
        if (i % 10 === 0) {
          await new Promise((r) => setTimeout(r, 5));
        }
      }
      assert.ok(refused instanceof AuditBackpressureError, `expected backpressure, got ${refused}`);
      assert.ok(pipeline.stats().queued <= 40, JSON.stringify(pipeline.stats()));
      assert.equal(pipeline.stats().spooled, 0);
      exporter.down = false;
      await pipeline.waitForCapacity();
      await pipeline.flush();
      const delivered = new Set(exporter.records.map((r) => r.attributes['audit.id'] as string));
      assert.deepEqual(
        [...ids].filter((id) => !delivered.has(id)),
        [],
        'nothing lost'
      );
      await pipeline.shutdown();
      fs.rmSync(dir, { force: true });
    });

    it('should keep records the receiver rejects for good in a rejected file and count them as failed', async () => {
      const dir = tmpDir();
      const { exporter, pipeline } = setup({ spoolDir: dir });
      exporter.down = true;
      exporter.failStatus = 400;
      pipeline.record(baseEvent);
      await pipeline.flush();
      assert.equal(pipeline.stats().failed, 1);
      const rejected = fs.readdirSync(dir).filter((f) => f.startsWith('rejected-'));
      assert.equal(rejected.length, 1);
      assert.match(fs.readFileSync(path.join(dir, rejected[0]), 'utf8'), /HTTP 400/);
      await pipeline.shutdown();
    });
  });

  describe('metrics', () => {
    it('should publish the counters as OTel metrics', async () => {
      const reader = new TestReader();
      const meterProvider = new MeterProvider({ readers: [reader] });
      const { pipeline } = setup({ meterProvider });
      pipeline.record({ ...baseEvent, actor });
      pipeline.record({ ...baseEvent, actor });
      await pipeline.flush();
      const { resourceMetrics } = await reader.collect();
      const all: MetricData[] = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
      const value = (name: string) => all.find((m) => m.descriptor.name === name)?.dataPoints[0]?.value;
      assert.equal(value('attest.audit.events.recorded'), 2);
      assert.equal(value('attest.audit.events.exported'), 2);
      assert.equal(value('attest.audit.events.spooled'), 0);
      assert.equal(value('attest.audit.events.failed'), 0);
      assert.equal(value('attest.audit.queue.size'), 0);
      await pipeline.shutdown();
    });
  });
});
