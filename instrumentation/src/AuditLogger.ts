import { diag } from '@opentelemetry/api';
import type { Logger, LoggerProvider } from '@opentelemetry/api-logs';
import { v7 as uuidv7 } from 'uuid';
import { getAuditContext, noteRecordedAction } from './context';
import type { DeliveryProcessor, DeliveryStats } from './delivery/DeliveryProcessor';
import { AuditBackpressureError, AuditStateError, AuditValidationError } from './errors';
import { AUDIT_SCOPE_NAME, AUDIT_SCOPE_VERSION, type AuditCategory } from './schema';
import type { AuditActor, AuditEventInput, AuditLimits, AuditTarget } from './types';
import { DEFAULT_LIMITS, prepareEvent } from './validate';

export interface AuditLoggerOptions {
  /** The provider whose processors handle the records (see createAuditPipeline for the full set). */
  loggerProvider: LoggerProvider;
  /** The pipeline's delivery processor: enables recordAndConfirm, backpressure and delivery stats. */
  delivery?: DeliveryProcessor;
  /**
   * Tenant this logger writes to. An event recorded inside a request context of another tenant is
   * refused with AuditValidationError (events never cross tenants). Default: no check.
   */
  tenant?: string;
  /** Size limits; defaults keep headroom below Loki's. */
  limits?: AuditLimits;
  /** Actor for events that have none and run outside a request context (jobs). Default: none (required). */
  defaultActor?: AuditActor;
  /** recordAndConfirm() rejects with AuditDeliveryError after this long. Default 30000 ms. */
  confirmTimeoutMillis?: number;
  /** Called by shutdown() after the delivery is flushed (e.g. provider.shutdown). */
  onShutdown?: () => Promise<void>;
  /** Called by shutdown() while record() still accepts (e.g. to record the chain's closing). */
  beforeShutdown?: () => void;
  /** Called after each recorded event. */
  onRecorded?: () => void;
}

export type AuditStats = DeliveryStats;

/** Counters of a logger that has recorded nothing yet: the starting point for sums. */
export function emptyAuditStats(recorded = 0): AuditStats {
  return {
    recorded,
    exported: 0,
    spooled: 0,
    replayed: 0,
    failed: 0,
    retries: 0,
    queued: 0,
    spoolPending: 0,
    spooling: false,
  };
}

/** Fields every typed helper takes. */
export type HelperInput = Omit<AuditEventInput, 'type' | 'category' | 'action'> & { category?: AuditCategory };

/** The audit API services use. */
export class AuditLogger {
  private readonly _logger: Logger;
  private readonly _provider: LoggerProvider;
  private readonly _delivery?: DeliveryProcessor;
  private readonly _tenant?: string;
  private readonly _limits: Required<AuditLimits>;
  private readonly _defaultActor?: AuditActor;
  private readonly _confirmTimeoutMillis: number;
  private readonly _onShutdown?: () => Promise<void>;
  private readonly _beforeShutdown?: () => void;
  private readonly _onRecorded?: () => void;
  private _recorded = 0;
  private _isShutdown = false;
  private _shutdownPromise?: Promise<void>;

  constructor(options: AuditLoggerOptions) {
    this._provider = options.loggerProvider;
    this._logger = options.loggerProvider.getLogger(AUDIT_SCOPE_NAME, AUDIT_SCOPE_VERSION);
    this._delivery = options.delivery;
    this._tenant = options.tenant;
    this._limits = { ...DEFAULT_LIMITS, ...(options.limits ?? {}) };
    this._defaultActor = options.defaultActor;
    this._confirmTimeoutMillis = options.confirmTimeoutMillis ?? 30000;
    this._onShutdown = options.onShutdown;
    this._beforeShutdown = options.beforeShutdown;
    this._onRecorded = options.onRecorded;
  }

  /**
   * Validates and records one event; returns its audit.id. Synchronous and cheap: redaction, tags,
   * pseudonyms, the hash and the export happen later, off this call. Throws AuditValidationError for
   * an invalid event, AuditBackpressureError when the queue is full and there is no spool,
   * AuditStateError after shutdown. Nothing is recorded when it throws.
   */
  record(event: AuditEventInput): string {
    if (this._isShutdown) {
      throw new AuditStateError('audit logger is shut down');
    }
    const ctx = getAuditContext();
    const tenant = event?.context?.tenant ?? ctx?.tenant;
    if (this._tenant !== undefined && tenant !== undefined && tenant !== this._tenant) {
      throw new AuditValidationError([
        {
          field: 'context.tenant',
          message: `event of tenant "${tenant}" recorded through the logger of tenant "${this._tenant}"`,
        },
      ]);
    }
    const input =
      event && event.actor === undefined && !ctx?.actor && !event.context?.actor && this._defaultActor
        ? { ...event, actor: this._defaultActor }
        : event;
    const prepared = prepareEvent(input, ctx, this._limits);
    if (this._delivery && !this._delivery.hasCapacity()) {
      throw new AuditBackpressureError(this._delivery.queued);
    }
    this._logger.emit({
      timestamp: prepared.timestampMillis,
      severityNumber: prepared.severityNumber,
      severityText: prepared.severityText,
      body: prepared.body,
      eventName: prepared.type,
      attributes: prepared.attributes,
    });
    this._recorded++;
    this._onRecorded?.();
    noteRecordedAction(event.action);
    return prepared.id;
  }

  /**
   * Records the event and resolves with its id once the receiver (the Collector) has acknowledged
   * the batch holding it. Use before committing a business action that must not happen unaudited.
   * Rejects with AuditValidationError (nothing recorded) or AuditDeliveryError (recorded, not yet
   * acknowledged in time: it stays queued or spooled).
   */
  async recordAndConfirm(event: AuditEventInput, options: { timeoutMillis?: number } = {}): Promise<string> {
    const delivery = this._delivery;
    if (!delivery) {
      throw new AuditStateError('recordAndConfirm needs a DeliveryProcessor (use createAuditPipeline)');
    }
    await delivery.waitForCapacity();
    // The id must be known before emit so the acknowledgement can be matched.
    const id = typeof event?.id === 'string' ? event.id : uuidv7();
    const ack = delivery.waitFor(id, options.timeoutMillis ?? this._confirmTimeoutMillis);
    try {
      this.record({ ...event, id });
    } catch (e) {
      delivery.cancelWait(id);
      ack.catch(() => undefined);
      throw e;
    }
    delivery.expedite();
    await ack;
    return id;
  }

  /** Resolves once everything recorded so far is exported or safely in the spool. */
  async flush(): Promise<void> {
    await this._provider_forceFlush();
  }

  private async _provider_forceFlush(): Promise<void> {
    const p = this._provider as LoggerProvider & { forceFlush?: () => Promise<void> };
    if (typeof p.forceFlush === 'function') {
      await p.forceFlush();
    } else if (this._delivery) {
      await this._delivery.forceFlush();
    }
  }

  /** Backpressure: resolves when record() will accept again. */
  waitForCapacity(): Promise<void> {
    return this._delivery?.waitForCapacity() ?? Promise.resolve();
  }

  /** Counters: recorded / exported / spooled / replayed / failed / retries, and current queue sizes. */
  stats(): AuditStats {
    if (this._delivery) {
      return this._delivery.stats();
    }
    return emptyAuditStats(this._recorded);
  }

  /** Flushes or spools everything, then shuts the pipeline down. Idempotent. */
  shutdown(): Promise<void> {
    if (!this._shutdownPromise) {
      try {
        this._beforeShutdown?.();
      } catch (e) {
        diag.error('AuditLogger: before shutdown', e);
      }
      this._isShutdown = true;
      this._shutdownPromise = (async () => {
        try {
          if (this._onShutdown) {
            await this._onShutdown();
          } else {
            await this._provider_forceFlush();
          }
        } catch (e) {
          diag.error('AuditLogger: shutdown failed', e);
        }
      })();
    }
    return this._shutdownPromise;
  }

  // ---- typed helpers ---------------------------------------------------------------------------

  /** `auth.login.succeeded` (AUTH, login, success). */
  loginSucceeded(input: HelperInput = {}): string {
    return this.record({
      ...input,
      type: 'auth.login.succeeded',
      category: 'AUTH',
      action: 'login',
      outcome: 'success',
    });
  }

  /** `auth.login.failed` (AUTH, login, failure, WARNING). */
  loginFailed(input: HelperInput = {}): string {
    return this.record({
      severity: 'WARNING',
      ...input,
      type: 'auth.login.failed',
      category: 'AUTH',
      action: 'login',
      outcome: 'failure',
    });
  }

  /** `auth.logout` (AUTH, logout). */
  logout(input: HelperInput = {}): string {
    return this.record({ ...input, type: 'auth.logout', category: 'AUTH', action: 'logout' });
  }

  /** `<target.type>.created` (DATA_MODIFY unless given). */
  created(target: AuditTarget, input: HelperInput = {}): string {
    return this._change('create', 'created', target, input);
  }

  /** `<target.type>.updated` with changes {before, after}. */
  updated(target: AuditTarget, input: HelperInput = {}): string {
    return this._change('update', 'updated', target, input);
  }

  /** `<target.type>.deleted`. */
  deleted(target: AuditTarget, input: HelperInput = {}): string {
    return this._change('delete', 'deleted', target, input);
  }

  /** A read of personal data: `pii.read.<target.type>` (DATA_ACCESS, read, classification pii). */
  piiRead(target: AuditTarget, input: HelperInput = {}): string {
    const classification = [...new Set([...(input.classification ?? []), 'pii' as const])];
    return this.record({
      ...input,
      classification,
      target,
      type: `pii.read.${slug(target.type)}`,
      category: 'DATA_ACCESS',
      action: 'read',
    });
  }

  /** `access.denied` (SECURITY, outcome denied, WARNING). */
  accessDenied(input: HelperInput & { action?: string } = {}): string {
    return this.record({
      severity: 'WARNING',
      ...input,
      type: 'access.denied',
      category: input.category ?? 'SECURITY',
      action: input.action ?? 'access',
      outcome: 'denied',
    });
  }

  private _change(action: string, verb: string, target: AuditTarget, input: HelperInput): string {
    return this.record({
      ...input,
      target,
      type: `${slug(target?.type)}.${verb}`,
      category: input.category ?? 'DATA_MODIFY',
      action,
    });
  }
}

/** Event-type segment from a target type: `Hardware Item` → `hardware_item`. */
function slug(s: unknown): string {
  const v =
    typeof s === 'string'
      ? s
          .toLowerCase()
          .replace(/[^a-z0-9_-]+/g, '_')
          .replace(/^[^a-z]+/, '')
      : '';
  return v.length > 0 ? v.slice(0, 64) : 'record';
}

/** Creates an audit logger over an existing LoggerProvider (bring-your-own pipeline). */
export function createAuditLogger(options: AuditLoggerOptions): AuditLogger {
  return new AuditLogger(options);
}
