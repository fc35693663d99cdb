import { type CanonicalInput } from '../canonical';
import { fromLokiEntry } from '../lokiRecord';

export interface LokiSource {
  url: string;
  tenant: string;
  /** A stream selector, `{service_name=~".+"}` for the whole tenant. */
  selector: string;
  fromNs: bigint;
  toNs: bigint;
  user?: string;
  password?: string;
  token?: string;
}

const PAGE = 5000;

/**
 * Every entry of the selector in [fromNs, toNs), read backwards a page at a time (Loki's
 * max_entries_limit_per_query), as records the chain covers. Entries read twice at a page boundary
 * (same timestamp) are kept once.
 */
export async function readLoki(src: LokiSource): Promise<CanonicalInput[]> {
  const headers: Record<string, string> = {
    'X-Scope-OrgID': src.tenant,
    'X-Loki-Response-Encoding-Flags': 'categorize-labels',
  };
  if (src.token) {
    headers.Authorization = `Bearer ${src.token}`;
  } else if (src.user) {
    headers.Authorization = `Basic ${Buffer.from(`${src.user}:${src.password ?? ''}`).toString('base64')}`;
  }
  const out: CanonicalInput[] = [];
  const seen = new Set<string>();
  let end = src.toNs;
  for (;;) {
    const qs = new URLSearchParams({
      query: src.selector,
      start: src.fromNs.toString(),
      end: end.toString(),
      limit: String(PAGE),
      direction: 'backward',
    });
    const res = await fetch(`${src.url.replace(/\/$/, '')}/loki/api/v1/query_range?${qs}`, { headers });
    if (!res.ok) {
      throw new Error(`Loki answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    }
    const body = (await res.json()) as {
      data: {
        result: Array<{
          stream: Record<string, string>;
          values: Array<[string, string, { structuredMetadata?: Record<string, string> }?]>;
        }>;
      };
    };
    let n = 0;
    let oldest = end;
    for (const s of body.data.result) {
      for (const [ts, line, extra] of s.values) {
        n++;
        const labels = { ...s.stream, ...(extra?.structuredMetadata ?? {}) };
        const t = BigInt(ts);
        if (t < oldest) {
          oldest = t;
        }
        // A page boundary re-reads the entries at its timestamp: keep each once. A genuine second
        // delivery differs in its observed timestamp, so it still counts as a duplicate.
        const key = `${ts}\u0000${line}\u0000${JSON.stringify(Object.entries(labels).sort())}`;
        if (!seen.has(key)) {
          seen.add(key);
          out.push(fromLokiEntry(ts, line, labels));
        }
      }
    }
    if (n < PAGE) {
      return out;
    }
    if (oldest === end) {
      throw new Error(`more than ${PAGE} entries share one timestamp: cannot page past ${end}`);
    }
    end = oldest + 1n;
  }
}
