import { context } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';

/** One export request with a time limit; never throws (a failure is an ExportResult). */
export function exportAttempt(
  exporter: LogRecordExporter,
  batch: ReadableLogRecord[],
  timeoutMillis: number
): Promise<ExportResult> {
  return new Promise<ExportResult>((resolve) => {
    let done = false;
    const finish = (result: ExportResult) => {
      if (!done) {
        done = true;
        clearTimeout(timer);
        resolve(result);
      }
    };
    const timer = setTimeout(
      () => finish({ code: ExportResultCode.FAILED, error: new Error(`export timed out after ${timeoutMillis} ms`) }),
      timeoutMillis
    );
    timer.unref();
    try {
      context.with(suppressTracing(context.active()), () => exporter.export(batch, finish));
    } catch (e) {
      finish({ code: ExportResultCode.FAILED, error: e instanceof Error ? e : new Error(String(e)) });
    }
  });
}

/** A readable reason: HTTP status, message and the start of the receiver's answer. */
export function describeResult(result: ExportResult): string {
  const e = result.error as (Error & { code?: number; data?: string }) | undefined;
  if (!e) {
    return 'export failed';
  }
  return [
    e.code === 401 ? "the Collector refused this producer's credential (send its token: headers.Authorization)" : undefined,
    e.code !== undefined ? `HTTP ${e.code}` : undefined,
    e.message,
    e.data ? String(e.data).slice(0, 300) : undefined,
  ]
    .filter(Boolean)
    .join(' ');
}

/** A 4xx answer other than 408/429 will not succeed on retry. */
export function isPermanent(result: ExportResult): boolean {
  const code = (result.error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' && code >= 400 && code < 500 && code !== 408 && code !== 429;
}
