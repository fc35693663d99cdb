import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** An exporter whose availability the test controls (simulates the Collector being down or rejecting). */
export class ControlledExporter implements LogRecordExporter {
  readonly batches: ReadableLogRecord[][] = [];
  down = false;
  /** HTTP status to fail with while down (undefined: a network error, retryable). */
  failStatus?: number;
  attempts = 0;
  delayMillis = 0;

  export(logs: ReadableLogRecord[], cb: (r: ExportResult) => void): void {
    this.attempts++;
    const finish = (): void => {
      if (this.down) {
        const err = Object.assign(new Error(this.failStatus ? `HTTP ${this.failStatus}` : 'connect ECONNREFUSED'), {
          code: this.failStatus,
        });
        cb({ code: ExportResultCode.FAILED, error: err });
        return;
      }
      this.batches.push([...logs]);
      cb({ code: ExportResultCode.SUCCESS });
    };
    if (this.delayMillis > 0) {
      setTimeout(finish, this.delayMillis);
    } else {
      setImmediate(finish);
    }
  }

  get records(): ReadableLogRecord[] {
    return this.batches.flat();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

export function tmpDir(prefix = 'attest-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export const actor = { id: 'u-1', email: 'ada@example.com', name: 'Ada', roles: ['admin'] };

export const baseEvent = {
  type: 'user.updated',
  category: 'USER_MGMT' as const,
  action: 'update',
  actor,
};

export const waitUntil = async (cond: () => boolean, timeoutMillis = 10000): Promise<void> => {
  const end = Date.now() + timeoutMillis;
  while (!cond()) {
    if (Date.now() > end) {
      throw new Error('condition not met in time');
    }
    await new Promise((r) => setTimeout(r, 10));
  }
};
