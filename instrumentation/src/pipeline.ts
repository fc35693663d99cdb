import { diag, type MeterProvider } from '@opentelemetry/api';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { AuditLogger } from './AuditLogger';
import type { ChainKey } from './canonical';
import { DeliveryProcessor, type DeliveryProcessorOptions } from './delivery/DeliveryProcessor';
import type { KeyStore } from './KeyStore';
import { registerAuditMetrics } from './metrics';
import type { AuditStage } from './processors/AuditStageProcessor';
import { ComplianceProcessor, type ComplianceProcessorOptions } from './processors/ComplianceProcessor';
import { HashChainProcessor } from './processors/HashChainProcessor';
import { PseudonymisationProcessor } from './processors/PseudonymisationProcessor';
import { SubjectEncryptionProcessor } from './processors/SubjectEncryptionProcessor';
import type { SubjectKeyStore } from './SubjectKeyStore';
import { RedactionProcessor, type RedactionProcessorOptions } from './processors/RedactionProcessor';
import type { AuditActor, AuditLimits } from './types';

export type DeliveryOptions = Omit<DeliveryProcessorOptions, 'exporter' | 'stages' | 'chain' | 'resource'>;

export interface AuditPipelineOptions {
  /** Loki tenant, sent as `X-Scope-OrgID` on every export. Required. */
  tenant: string;
  /** Resource `service.name`. Required. */
  serviceName: string;
  /** Collector OTLP/HTTP base URL; logs go to `${url}/v1/logs`. Default $ATTEST_OTLP_URL or http://127.0.0.1:4318. */
  url?: string;
  /** Resource `deployment.environment.name`. Default $ATTEST_ENVIRONMENT, $NODE_ENV or `production`. */
  environment?: string;
  /** More resource attributes (service.version, service.instance.id, …). */
  resourceAttributes?: Record<string, string>;
  /** Extra HTTP headers for the export (auth for a gateway). */
  headers?: Record<string, string>;
  /** Compress export bodies. Default 'none'. */
  compression?: 'gzip' | 'none';
  /** Replaces the OTLP exporter (tests, benchmarks, another transport). */
  exporter?: LogRecordExporter;
  /** Redaction options; `false` turns redaction off (not recommended). */
  redaction?: RedactionProcessorOptions | false;
  /** Compliance mapping overrides. */
  compliance?: ComplianceProcessorOptions;
  /** GDPR pseudonymisation of actor identifiers with the tenant's key. Default off. */
  pseudonymisation?: { keyStore: KeyStore; attributes?: readonly string[] };
  /**
   * GDPR erasure by crypto-shredding: identities encrypted under per-subject keys (a directory shared
   * with the app's backend, `subject_keys_dir`), so the app can erase one person. Default off.
   */
  subjectKeys?: { keyStore: SubjectKeyStore; personTargetTypes?: readonly string[] };
  /** `audit.chain.id`. Default: a UUIDv7 per pipeline instance. */
  chainId?: string;
  /**
   * The producer's chain key (HMAC): without it anyone who can write to Loki can forge appends.
   * Share it with the verifiers (the Grafana app's chain_keys_file, `otel-audit verify --keys`).
   */
  chainKey?: ChainKey;
  /**
   * Record `audit.chain.heartbeat` (SYSTEM) when nothing was recorded for this long, and
   * `audit.chain.closed` at shutdown: a verifier then tells a producer that went silent (or whose
   * records stopped arriving) from one with nothing to record. Default off.
   */
  heartbeatMillis?: number;
  /** Disk spool directory; strongly recommended in production. Default none. */
  spoolDir?: string;
  /** Queue, batch, retry and spool settings (see DeliveryProcessorOptions). */
  delivery?: DeliveryOptions;
  /** record() size limits. */
  limits?: AuditLimits;
  /** Actor for events outside a request context that pass none. */
  defaultActor?: AuditActor;
  /** recordAndConfirm() timeout. Default 30000 ms. */
  confirmTimeoutMillis?: number;
  /** Where the delivery counters are published as metrics. Default: the global MeterProvider; `false`: not at all. */
  meterProvider?: MeterProvider | false;
}

/** What createAuditPipeline returns: the logger plus the parts, for inspection and tests. */
export interface AuditPipeline extends AuditLogger {
  readonly provider: LoggerProvider;
  readonly delivery: DeliveryProcessor;
  readonly chain: HashChainProcessor;
  readonly redaction?: RedactionProcessor;
  readonly compliance: ComplianceProcessor;
  readonly pseudonymisation?: PseudonymisationProcessor;
  readonly subjectEncryption?: SubjectEncryptionProcessor;
}

/**
 * Wires LoggerProvider → Redaction → Compliance → Pseudonymisation → HashChain → Delivery →
 * OTLPLogExporter (with X-Scope-OrgID) and returns the audit logger.
 */
export function createAuditPipeline(options: AuditPipelineOptions): AuditPipeline {
  if (!options || typeof options.tenant !== 'string' || options.tenant.length === 0) {
    throw new TypeError('createAuditPipeline: tenant is required');
  }
  if (typeof options.serviceName !== 'string' || options.serviceName.length === 0) {
    throw new TypeError('createAuditPipeline: serviceName is required');
  }
  const base = (options.url ?? process.env.ATTEST_OTLP_URL ?? 'http://127.0.0.1:4318').replace(/\/+$/, '');
  const exporter =
    options.exporter ??
    new OTLPLogExporter({
      url: `${base}/v1/logs`,
      headers: { ...(options.headers ?? {}), 'X-Scope-OrgID': options.tenant },
      compression: options.compression === 'gzip' ? ('gzip' as never) : ('none' as never),
      timeoutMillis: 10000,
    });
  const environment = options.environment ?? process.env.ATTEST_ENVIRONMENT ?? process.env.NODE_ENV ?? 'production';
  const resource = resourceFromAttributes({
    ...(options.resourceAttributes ?? {}),
    'service.name': options.serviceName,
    'deployment.environment.name': environment,
  });

  const redaction = options.redaction === false ? undefined : new RedactionProcessor(options.redaction ?? {});
  const compliance = new ComplianceProcessor(options.compliance ?? {});
  const pseudonymisation = options.pseudonymisation
    ? new PseudonymisationProcessor({ ...options.pseudonymisation, tenant: options.tenant })
    : undefined;
  const subjectEncryption = options.subjectKeys
    ? new SubjectEncryptionProcessor({ ...options.subjectKeys, tenant: options.tenant })
    : undefined;
  const stages: AuditStage[] = [redaction, compliance, pseudonymisation, subjectEncryption].filter(
    (s): s is NonNullable<typeof s> => !!s
  );
  // Redaction, tagging, pseudonymisation and hashing run when a batch is formed, in seq order, off
  // the record() path; the stages are also LogRecordProcessors for pipelines composed by hand.
  const chain = new HashChainProcessor({
    chainId: options.chainId,
    deferred: true,
    key: options.chainKey,
    stream: { service: options.serviceName, environment },
  });
  const delivery = new DeliveryProcessor({
    ...(options.delivery ?? {}),
    spoolDir: options.spoolDir ?? options.delivery?.spoolDir,
    exporter,
    resource,
    stages,
    chain,
  });
  const provider = new LoggerProvider({ resource, processors: [delivery] });
  let unregister: (() => void) | undefined;
  if (options.meterProvider !== false) {
    unregister = registerAuditMetrics(() => delivery.stats(), options.meterProvider);
  }
  const hb = options.heartbeatMillis;
  let lastRecorded = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const system = { type: 'system' as const, id: options.serviceName };
  const logger = new AuditLogger({
    loggerProvider: provider,
    delivery,
    tenant: options.tenant,
    limits: options.limits,
    defaultActor: options.defaultActor,
    confirmTimeoutMillis: options.confirmTimeoutMillis,
    onRecorded: () => {
      lastRecorded = Date.now();
    },
    beforeShutdown: () => {
      if (timer) {
        clearInterval(timer);
        logger.record({
          type: 'audit.chain.closed',
          category: 'SYSTEM',
          action: 'close',
          actor: system,
          description: 'The producer shut down: this chain ends here',
        });
      }
    },
    onShutdown: async () => {
      unregister?.();
      await provider.shutdown();
    },
  });
  if (hb !== undefined && hb > 0) {
    timer = setInterval(
      () => {
        if (Date.now() - lastRecorded >= hb) {
          try {
            logger.record({
              type: 'audit.chain.heartbeat',
              category: 'SYSTEM',
              action: 'heartbeat',
              actor: system,
              description: 'Producer alive; nothing else recorded',
            });
          } catch (e) {
            // Backpressure: the queue is full of real events, which are as good as a heartbeat.
            diag.debug('heartbeat not recorded', e);
          }
        }
      },
      Math.max(100, Math.floor(hb / 2))
    );
    timer.unref();
  }
  return Object.assign(logger, {
    provider,
    delivery,
    chain,
    redaction,
    compliance,
    pseudonymisation,
    subjectEncryption,
  }) as AuditPipeline;
}
