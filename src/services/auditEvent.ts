// An audit event as the backend's routes answer it (pkg/loki/response.go Event).

export interface AuditEvent {
  /** Sort key within one timestamp: the audit id, or a stable fallback for events without one. */
  key: string;
  /** Nanoseconds since the epoch, as a decimal string (exact; JS numbers aren't). */
  tsNs: string;
  timeMs: number;
  id: string;
  description: string;
  category: string;
  severity: string;
  eventType: string;
  action: string;
  outcome: string;
  actorType: string;
  actorId: string;
  actorEmail: string;
  actorName: string;
  actorRoles: string[];
  targetType: string;
  targetId: string;
  targetName: string;
  service: string;
  environment: string;
  clientAddress: string;
  userAgent: string;
  sessionId: string;
  requestId: string;
  stack: string;
  region: string;
  /** Kinds of data the event touches (pii, phi, …). */
  classification: string[];
  traceId: string;
  spanId: string;
  compliance: string[];
  /** Raw JSON strings as stored; parse for display with parseJsonSafe. */
  changes: string;
  metadata: string;
  chainId: string;
  chainSeq: string;
  chainPrev: string;
  chainHash: string;
  /** Every label of the entry (index labels, structured metadata, parsed). */
  labels: Record<string, string>;
}

export type JsonParse = { ok: true; value: unknown } | { ok: false; raw: string };

/** Bad input never breaks the page: unparseable JSON comes back as raw text. */
export function parseJsonSafe(raw: string): JsonParse {
  if (raw.trim() === '') {
    return { ok: false, raw };
  }
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false, raw };
  }
}
