import type { HrTime, SpanContext } from '@opentelemetry/api';
import type { LogAttributes, LogBody, SeverityNumber } from '@opentelemetry/api-logs';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableLogRecord, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';

/**
 * The delivery processor's own copy of a record. The SDK makes its record read-only once onEmit
 * returns; this copy stays writable so stages deferred to batch formation (redaction, compliance,
 * pseudonymisation, hash chain) can still apply. It shares the attributes object with the SDK record,
 * which nothing else touches after emit when the delivery processor is the provider's only exporter.
 */
export class AuditLogRecord implements ReadableLogRecord {
  hrTime: HrTime;
  hrTimeObserved: HrTime;
  spanContext?: SpanContext;
  severityText?: string;
  severityNumber?: SeverityNumber;
  body?: LogBody;
  eventName?: string;
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly attributes: LogAttributes;
  readonly droppedAttributesCount: number;
  /** Stages and chain applied. */
  prepared = false;

  constructor(
    fields: Omit<ReadableLogRecord, 'instrumentationScope'> & { instrumentationScope: InstrumentationScope }
  ) {
    this.hrTime = fields.hrTime;
    this.hrTimeObserved = fields.hrTimeObserved;
    this.spanContext = fields.spanContext;
    this.severityText = fields.severityText;
    this.severityNumber = fields.severityNumber;
    this.body = fields.body;
    this.eventName = fields.eventName;
    this.resource = fields.resource;
    this.instrumentationScope = fields.instrumentationScope;
    this.attributes = fields.attributes;
    this.droppedAttributesCount = fields.droppedAttributesCount;
  }

  static from(r: ReadWriteLogRecord | ReadableLogRecord): AuditLogRecord {
    return new AuditLogRecord(r);
  }
}
