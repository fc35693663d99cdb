// Child process for the process-exit test: records events while the receiver never answers,
// then exits abruptly without shutdown().
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { createAuditPipeline } from '../src';

const [spoolDir, count] = process.argv.slice(2);
const hanging = {
  export(_logs: ReadableLogRecord[], _cb: (r: ExportResult) => void): void {
    // never answers
    void ExportResultCode.SUCCESS;
  },
  shutdown: async () => undefined,
  forceFlush: async () => undefined,
};
const pipeline = createAuditPipeline({
  tenant: 't',
  serviceName: 'svc',
  exporter: hanging,
  spoolDir,
  meterProvider: false,
  delivery: { scheduledDelayMillis: 1 },
});
const ids: string[] = [];
for (let i = 0; i < Number(count); i++) {
  ids.push(
    pipeline.record({
      type: 'job.step',
      category: 'SYSTEM',
      action: 'run',
      actor: { id: 'job', type: 'system' },
      metadata: { i },
    })
  );
}
setTimeout(() => {
  for (let i = 0; i < 5; i++) {
    ids.push(
      pipeline.record({ type: 'job.last', category: 'SYSTEM', action: 'run', actor: { id: 'job', type: 'system' } })
    );
  }
  process.stdout.write(JSON.stringify(ids));
  process.exit(3);
}, 50);
