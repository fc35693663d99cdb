import type { Resource } from '@opentelemetry/resources';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { AuditStage } from '../processors/AuditStageProcessor';
import type { HashChainProcessor } from '../processors/HashChainProcessor';

export interface DeliveryProcessorOptions {
  exporter: LogRecordExporter;
  /** Stages applied in order to each record when its batch is formed (off the record() hot path). */
  stages?: readonly AuditStage[];
  /** A deferred hash chain: seq assigned in onEmit, prev/hash when the batch is formed. */
  chain?: HashChainProcessor;
  /** Records held in memory at most. Default 8192. */
  maxQueueSize?: number;
  /** Records per export request. Default 512. */
  maxExportBatchSize?: number;
  /** Longest a record waits for its batch to fill. Default 200 ms. */
  scheduledDelayMillis?: number;
  /** One export request's time limit. Default 15000 ms. */
  exportTimeoutMillis?: number;
  /** How long a batch is retried before it is spooled (the retry budget). Default 30000 ms. */
  retryBudgetMillis?: number;
  /** First retry delay, doubled up to retryMaxDelayMillis. Default 250 ms. */
  retryInitialDelayMillis?: number;
  /** Default 5000 ms. */
  retryMaxDelayMillis?: number;
  /**
   * Directory of the disk spool. Without it nothing is ever dropped either: batches are retried
   * forever and record() throws AuditBackpressureError while the queue is full.
   */
  spoolDir?: string;
  /** Spool segment size. Default 8 MiB. */
  spoolSegmentBytes?: number;
  /** Records per export request when replaying the spool. Default 4 × maxExportBatchSize. */
  replayBatchSize?: number;
  /** While spooling, how often the receiver is probed with the oldest spooled batch. Default 1000 ms. */
  spoolProbeMillis?: number;
  /** At shutdown, how long to try exporting before spooling the rest. Default 5000 ms. */
  shutdownTimeoutMillis?: number;
  /** Resource for records replayed from the spool. Default: the resource of emitted records. */
  resource?: Resource;
}

/** Delivery counters. `exported` counts every acknowledged record, `replayed` those that came from the spool. */
export interface DeliveryStats {
  recorded: number;
  exported: number;
  spooled: number;
  replayed: number;
  failed: number;
  retries: number;
  queued: number;
  spoolPending: number;
  spooling: boolean;
}
