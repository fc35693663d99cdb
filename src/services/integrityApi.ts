// Integrity verifications (pkg/plugin/integrity.go): run one over a range, list them with their results.
import { getResource, sendResource } from './backendApi';
import { type TimeRangeNs } from './page';

export interface IntegrityProblem {
  chainId: string;
  seq: number;
  problem: string;
  detail: string;
  id?: string;
}

export interface VerifySummary {
  ok: boolean;
  from: string;
  to: string;
  records: number;
  /** Events without chain fields (producers that do not chain): counted, not verifiable, not breaks. */
  unchained?: number;
  chains: number;
  duplicates: number;
  problemCount: number;
  problems: IntegrityProblem[];
  checkpoints: { checked: number; matched: number; missing: IntegrityProblem[] };
  /** Heartbeating producers that stopped before the range's end without closing their chain. */
  silent?: Array<{ chainId: string; service: string; lastSeq: number; lastNs: number; silentMs: number }>;
  firstBreak?: IntegrityProblem & { tsNs?: string };
}

export interface Verification {
  id: string;
  status: 'pending' | 'running' | 'completed' | 'failed' | 'canceled';
  params: string;
  requestedBy: string;
  created: string;
  rows: number;
  error?: string;
  summary?: VerifySummary;
}

export const startVerification = (range: TimeRangeNs) =>
  sendResource<Verification>('POST', 'integrity/verifications', { from: range.startNs, to: range.endNs });

export async function listVerifications(signal?: AbortSignal): Promise<Verification[]> {
  return (await getResource<{ verifications: Verification[] }>('integrity/verifications', {}, signal)).verifications;
}

/** The Event viewer showing the event a break is about, around its time. */
export function breakLink(b: NonNullable<VerifySummary['firstBreak']>, summary: VerifySummary): string {
  const p = new URLSearchParams();
  if (b.id) {
    p.set('id', b.id);
  }
  const ms = (ns: string) => String(BigInt(ns) / BigInt(1_000_000));
  if (b.tsNs) {
    p.set('from', String(BigInt(ms(b.tsNs)) - BigInt(60_000)));
    p.set('to', String(BigInt(ms(b.tsNs)) + BigInt(60_000)));
  } else {
    p.set('from', ms(summary.from));
    p.set('to', ms(summary.to));
  }
  return `/a/attest-auditlog-app/events?${p}`;
}
