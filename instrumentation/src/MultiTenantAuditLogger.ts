import fs from 'node:fs';
import path from 'node:path';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import { emptyAuditStats, type AuditStats } from './AuditLogger';
import { AuditValidationError } from './AuditValidationError';
import { AuditStateError } from './AuditStateError';
import { getAuditContext } from './context';
import { registerAuditMetrics } from './metrics';
import { createAuditPipeline, type AuditPipeline, type AuditPipelineOptions } from './pipeline';
import type { AuditEventInput } from './types';

export interface MultiTenantAuditOptions extends Omit<
  AuditPipelineOptions,
  'tenant' | 'spoolDir' | 'chainId' | 'exporter'
> {
  /** Spool root: each tenant spools to `<spoolRoot>/<tenant>`. Spools found there at start are replayed. */
  spoolRoot?: string;
  /** Tenant of events recorded without one in the event or the request context. Default: none (refused). */
  defaultTenant?: string;
  /** Exporter per tenant instead of the OTLP exporter (tests, other transports). */
  exporterFactory?: (tenant: string) => LogRecordExporter;
  /** Upper bound on tenants served by one process (each has its own queue and chain). Default 1000. */
  maxTenants?: number;
}

/** Loki accepts more; this subset is also a safe directory name. */
const TENANT_RE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/**
 * Routes each event to the pipeline of its tenant (from the event's context, the request context set
 * by the middleware, or `defaultTenant`): one pipeline, queue, spool and hash chain per tenant, each
 * exporting with its own `X-Scope-OrgID`. Events never cross tenants.
 */
export class MultiTenantAuditLogger {
  private readonly _options: MultiTenantAuditOptions;
  private readonly _pipelines = new Map<string, AuditPipeline>();
  private readonly _maxTenants: number;
  private _isShutdown = false;
  private readonly _unregisterMetrics?: () => void;

  constructor(options: MultiTenantAuditOptions) {
    this._options = options;
    this._maxTenants = options.maxTenants ?? 1000;
    if (options.meterProvider !== false) {
      // One set of metrics for the process: the sums over all tenants.
      this._unregisterMetrics = registerAuditMetrics(() => this.totals(), options.meterProvider);
    }
    if (options.spoolRoot) {
      fs.mkdirSync(options.spoolRoot, { recursive: true });
      // Replay what earlier runs left behind, whether or not those tenants record again.
      for (const entry of fs.readdirSync(options.spoolRoot, { withFileTypes: true })) {
        if (
          entry.isDirectory() &&
          TENANT_RE.test(entry.name) &&
          fs.readdirSync(path.join(options.spoolRoot, entry.name)).some((f) => f.startsWith('seg-'))
        ) {
          this.forTenant(entry.name);
        }
      }
    }
  }

  /** The tenant's pipeline, created on first use. Throws AuditValidationError for an unusable tenant id. */
  forTenant(tenant: string): AuditPipeline {
    let p = this._pipelines.get(tenant);
    if (p) {
      return p;
    }
    if (this._isShutdown) {
      throw new AuditStateError('audit logger is shut down');
    }
    if (typeof tenant !== 'string' || !TENANT_RE.test(tenant)) {
      throw new AuditValidationError([
        {
          field: 'context.tenant',
          message: 'tenant ids are 1-128 characters of A-Z a-z 0-9 . _ - (not starting with .)',
        },
      ]);
    }
    if (this._pipelines.size >= this._maxTenants) {
      throw new AuditStateError(`more than ${this._maxTenants} tenants in one process (maxTenants)`);
    }
    const { spoolRoot, defaultTenant: _d, exporterFactory, maxTenants: _m, ...rest } = this._options;
    p = createAuditPipeline({
      ...rest,
      tenant,
      spoolDir: spoolRoot ? path.join(spoolRoot, tenant) : undefined,
      exporter: exporterFactory?.(tenant),
      // Published once for all tenants by this logger (totals()).
      meterProvider: false,
    });
    this._pipelines.set(tenant, p);
    return p;
  }

  private _route(event: AuditEventInput): AuditPipeline {
    const tenant = event?.context?.tenant ?? getAuditContext()?.tenant ?? this._options.defaultTenant;
    if (tenant === undefined) {
      throw new AuditValidationError([
        {
          field: 'context.tenant',
          message:
            'no tenant: record inside a request context with a tenant, pass context.tenant, or set defaultTenant',
        },
      ]);
    }
    return this.forTenant(tenant);
  }

  /** Records the event in its tenant's pipeline; see AuditLogger.record. */
  record(event: AuditEventInput): string {
    return this._route(event).record(event);
  }

  /** See AuditLogger.recordAndConfirm. */
  recordAndConfirm(event: AuditEventInput, options?: { timeoutMillis?: number }): Promise<string> {
    try {
      return this._route(event).recordAndConfirm(event, options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  async flush(): Promise<void> {
    await Promise.all([...this._pipelines.values()].map((p) => p.flush()));
  }

  /** Counters per tenant. */
  stats(): Record<string, AuditStats> {
    return Object.fromEntries([...this._pipelines].map(([t, p]) => [t, p.stats()]));
  }

  /** Counters summed over all tenants. */
  totals(): AuditStats {
    const t = emptyAuditStats();
    for (const p of this._pipelines.values()) {
      const s = p.stats();
      t.recorded += s.recorded;
      t.exported += s.exported;
      t.spooled += s.spooled;
      t.replayed += s.replayed;
      t.failed += s.failed;
      t.retries += s.retries;
      t.queued += s.queued;
      t.spoolPending += s.spoolPending;
      t.spooling = t.spooling || s.spooling;
    }
    return t;
  }

  get tenants(): string[] {
    return [...this._pipelines.keys()];
  }

  async shutdown(): Promise<void> {
    this._isShutdown = true;
    this._unregisterMetrics?.();
    await Promise.all([...this._pipelines.values()].map((p) => p.shutdown()));
  }
}

/** One pipeline per tenant, chosen per event from the request context. */
export function createMultiTenantAuditLogger(options: MultiTenantAuditOptions): MultiTenantAuditLogger {
  return new MultiTenantAuditLogger(options);
}
