/**
 * Memory with the Collector down: records 1M events through the full pipeline whose OTLP exporter
 * points at a closed port. Memory stays bounded by maxQueueSize; the disk spool takes the rest.
 * Run: npm -w instrumentation run bench (after the record() bench) or node --expose-gc --import tsx bench/memory.bench.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAuditPipeline } from '../dist';
import { fmt, makeEvent } from './common';

const N = Number(process.env.BENCH_MEMORY_EVENTS ?? 1_000_000);
const MAX_QUEUE = Number(process.env.BENCH_MAX_QUEUE ?? 8192);
const MB = 1024 * 1024;

function dirBytes(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const f of fs.readdirSync(dir)) {
    bytes += fs.statSync(path.join(dir, f)).size;
    files++;
  }
  return { bytes, files };
}

async function main(): Promise<void> {
  const spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-bench-spool-'));
  global.gc?.();
  const baseline = process.memoryUsage();
  const pipeline = createAuditPipeline({
    tenant: 'bench',
    serviceName: 'bench',
    url: 'http://127.0.0.1:9', // nothing listens: connection refused
    spoolDir,
    meterProvider: false,
    delivery: { maxQueueSize: MAX_QUEUE, retryBudgetMillis: 2000, spoolProbeMillis: 5000 },
  });
  let peakRss = 0;
  let peakHeap = 0;
  /** Heap still in use right after a full GC, every 100,000 events: what the pipeline actually retains. */
  let peakRetained = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const timer = setInterval(sample, 50);
  const started = Date.now();
  for (let i = 0; i < N; i += 1000) {
    for (let j = i; j < Math.min(N, i + 1000); j++) {
      pipeline.record(makeEvent(j));
    }
    sample();
    if (global.gc && i > 0 && i % 100_000 === 0) {
      global.gc();
      peakRetained = Math.max(peakRetained, process.memoryUsage().heapUsed);
    }
    await new Promise((r) => setImmediate(r));
  }
  await pipeline.flush();
  const elapsed = Date.now() - started;
  clearInterval(timer);
  sample();
  const stats = pipeline.stats();
  const disk = dirBytes(spoolDir);
  await pipeline.shutdown();
  process.stdout.write(
    `\nmemory with the Collector down: ${fmt(N)} events, maxQueueSize ${fmt(MAX_QUEUE)}, node ${process.version}\n`
  );
  process.stdout.write(`  time ${fmt(elapsed / 1000, 1)} s (${fmt((N * 1000) / elapsed)} events/s, spooling)\n`);
  process.stdout.write(
    `  heap used: baseline ${fmt(baseline.heapUsed / MB, 1)} MB, peak ${fmt(peakHeap / MB, 1)} MB (sampled every 50 ms, garbage included)\n`
  );
  process.stdout.write(
    `  heap retained right after a full GC (one every 100,000 events): max ${global.gc ? `${fmt(peakRetained / MB, 1)} MB` : 'n/a (run with --expose-gc)'}\n`
  );
  process.stdout.write(`  RSS: baseline ${fmt(baseline.rss / MB, 1)} MB, peak ${fmt(peakRss / MB, 1)} MB\n`);
  process.stdout.write(
    `  spool: ${fmt(disk.bytes / MB, 1)} MB in ${disk.files} segment(s); stats ${JSON.stringify(stats)}\n`
  );
  fs.rmSync(spoolDir, { recursive: true, force: true });
  if (stats.spooled + stats.exported !== N || stats.failed !== 0) {
    throw new Error(`lost events: ${JSON.stringify(stats)}`);
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
  process.exit(1);
});
