import { diag, type Context } from '@opentelemetry/api';
import type { HrTime } from '@opentelemetry/api';
import type { AnyValue, LogBody } from '@opentelemetry/api-logs';
import type { ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { v7 as uuidv7 } from 'uuid';
import { canonicalHash, type ChainKey, GENESIS_HASH } from '../canonical';
import { ATTR } from '../schema';
import { AuditStageProcessor, type MutableLogRecord } from './AuditStageProcessor';

export interface HashChainProcessorOptions {
  /** Chain id (`audit.chain.id`). Default: a fresh UUIDv7 per processor (= per producer instance). */
  chainId?: string;
  /**
   * Only assign `audit.chain.id`/`seq` in onEmit and leave `prev`/`hash` to `seal()`, which the
   * delivery processor calls in order when it forms a batch. Default false (hash in onEmit).
   */
  deferred?: boolean;
  /** Hash with HMAC under this key (`audit.chain.key_id` on every record). Default: unkeyed SHA-256. */
  key?: ChainKey;
  /**
   * The producer's `service.name` and `deployment.environment.name` (its Loki stream), written into every
   * record as `audit.chain.service` / `audit.chain.environment` and so covered by the hash: a record moved
   * to another stream no longer matches it.
   */
  stream?: { service: string; environment?: string };
}

/** A record the chain can seal: the canonical fields plus writable attributes. */
export interface ChainRecord extends MutableLogRecord {
  readonly hrTime: HrTime;
  readonly severityText?: string;
  body?: LogBody;
}

/**
 * Tamper-evidence: each record gets `audit.chain.id`, `audit.chain.seq` (1, 2, …), `audit.chain.prev`
 * (the previous record's hash; 64 zeros for the first) and `audit.chain.hash` = SHA-256 over the
 * canonical form, or HMAC-SHA256 under the producer's chain key with `audit.chain.key_id`
 * (docs/hash-chain.md). Must run after every processor that changes covered fields
 * (redaction, compliance, pseudonymisation).
 */
export class HashChainProcessor extends AuditStageProcessor {
  readonly chainId: string;
  private readonly _deferred: boolean;
  private _nextSeq = 1;
  private _lastSealedSeq = 0;
  private _lastHash = GENESIS_HASH;
  private _key?: ChainKey;
  private readonly _stream?: { service: string; environment?: string };

  constructor(options: HashChainProcessorOptions = {}) {
    super();
    this.chainId = options.chainId ?? uuidv7();
    this._deferred = options.deferred ?? false;
    this._key = options.key;
    this._stream = options.stream;
  }

  /**
   * Hashes the records sealed from now on with another key; the chain goes on (each record names its
   * key, so a verifier holding both keys sees no break).
   */
  rotateKey(key: ChainKey): void {
    this._key = key;
  }

  /** Hash of the last sealed record (the chain head). */
  get head(): { seq: number; hash: string } {
    return { seq: this._lastSealedSeq, hash: this._lastHash };
  }

  override onEmit(record: ReadWriteLogRecord, _context?: Context): void {
    this.assign(record);
    if (!this._deferred) {
      super.onEmit(record);
    }
  }

  /** Gives the record its place in the chain. Cheap; called on the hot path. */
  assign(record: MutableLogRecord): number {
    const seq = this._nextSeq++;
    this.writePosition(record, seq);
    return seq;
  }

  /** Takes the next seq without touching a record (the caller writes it with writePosition before sealing). */
  nextSeq(): number {
    return this._nextSeq++;
  }

  writePosition(record: MutableLogRecord, seq: number): void {
    // Literal keys: monomorphic property stores (this runs once per record).
    const attrs = record.attributes as Record<string, AnyValue>;
    attrs['audit.chain.id'] = this.chainId;
    attrs['audit.chain.seq'] = seq;
  }

  /** Seals one record: sets prev and hash. Records must be sealed in `seq` order. */
  seal(record: ChainRecord): void {
    const seq = record.attributes[ATTR.chainSeq];
    if (typeof seq === 'number' && seq !== this._lastSealedSeq + 1) {
      diag.error(`HashChainProcessor: record seq ${seq} sealed after ${this._lastSealedSeq}; chain order broken`);
    }
    const attrs = record.attributes as Record<string, AnyValue>;
    if (this._stream) {
      attrs['audit.chain.service'] = this._stream.service;
      if (this._stream.environment) {
        attrs['audit.chain.environment'] = this._stream.environment;
      }
    }
    attrs['audit.chain.prev'] = this._lastHash;
    if (this._key) {
      attrs['audit.chain.key_id'] = this._key.id;
    }
    const hash = canonicalHash(record, this._key?.secret);
    attrs['audit.chain.hash'] = hash;
    this._lastHash = hash;
    if (typeof seq === 'number') {
      this._lastSealedSeq = seq;
    }
  }

  process(record: MutableLogRecord): void {
    this.seal(record as ChainRecord);
  }
}
