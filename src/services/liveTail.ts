// The live tail: GET events/tail answers newline-delimited JSON, one message per batch Loki pushed
// (pkg/plugin/tail.go). Read with fetch's stream, since the backend service buffers whole answers.
import { config } from '@grafana/runtime';

import { type AuditEvent } from './auditEvent';
import { RESOURCES_URL } from './plugin';
import { type AuditFilters } from './filters';
import { filterParams } from './routeParams';

export interface TailMessage {
  type: 'open' | 'events' | 'heartbeat' | 'end' | 'error';
  events?: AuditEvent[];
  /** Entries Loki dropped from the live view because the reader fell behind (they stay in the trail). */
  dropped?: number;
  error?: string;
  message?: string;
}

/** Splits a chunked NDJSON body into messages; a partial last line is kept for the next chunk. */
export class NdjsonSplitter {
  private rest = '';

  push(chunk: string): TailMessage[] {
    const lines = (this.rest + chunk).split('\n');
    this.rest = lines.pop() ?? '';
    const out: TailMessage[] = [];
    for (const line of lines) {
      if (line.trim() === '') {
        continue;
      }
      try {
        const m = JSON.parse(line);
        if (m && typeof m.type === 'string') {
          out.push(m);
        }
      } catch {
        // A line that is not JSON is not a message; the next one is.
      }
    }
    return out;
  }
}

export class TailError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message);
    this.name = 'TailError';
  }
}

/**
 * Follows the events matching filters from fromNs until the server ends the tail or signal aborts;
 * each message goes to onMessage. A refusal (403, 400, Loki down) throws TailError.
 */
export async function followEvents(
  filters: Partial<AuditFilters>,
  fromNs: string,
  onMessage: (m: TailMessage) => void,
  signal: AbortSignal
): Promise<void> {
  const params = filterParams(filters, { startNs: fromNs, endNs: (BigInt(fromNs) + BigInt(1_000_000)).toString() });
  const headers: Record<string, string> = { Accept: 'application/x-ndjson' };
  const orgId = config.bootData?.user?.orgId;
  if (orgId) {
    headers['X-Grafana-Org-Id'] = String(orgId);
  }
  const res = await fetch(`${RESOURCES_URL}/events/tail?${new URLSearchParams(params)}`, {
    headers,
    credentials: 'same-origin',
    signal,
  });
  if (!res.ok || !res.body) {
    let body: { error?: string; message?: string } = {};
    try {
      body = await res.json();
    } catch {
      /* not JSON */
    }
    throw new TailError(res.status, body.error ?? 'http', body.message ?? `HTTP ${res.status}`);
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const splitter = new NdjsonSplitter();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      return;
    }
    splitter.push(value).forEach(onMessage);
  }
}
