import { type CanonicalInput, COVERED_PREFIXES } from './canonical';
import { ATTR } from './schema';

/** Loki's name of each attribute the package writes (dots become underscores), back to the attribute. */
const KNOWN = new Map<string, string>(Object.values(ATTR).map((name) => [name.replace(/\./g, '_'), name]));
const LOKI_PREFIXES = COVERED_PREFIXES.map((p) => p.replace(/\./g, '_'));

/**
 * One Loki entry as the record the hash chain covers: the entry timestamp (ns, decimal text), the line
 * as body, `severity_text` from the labels, and every label or structured metadata entry whose name
 * starts with `audit_`, `user_`, `user_agent_`, `client_` or `session_` as an attribute. Names the
 * package writes get their attribute name back; any other covered name keeps its underscores after
 * the first dot, which gives the same canonical name (docs/hash-chain.md). Pass labels and structured
 * metadata together (`X-Loki-Response-Encoding-Flags: categorize-labels`, merged).
 */
export function fromLokiEntry(tsNs: string, line: string, labels: Readonly<Record<string, string>>): CanonicalInput {
  const ns = BigInt(tsNs);
  const attributes: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) {
    const known = KNOWN.get(k);
    if (known !== undefined) {
      attributes[known] = v;
    } else if (LOKI_PREFIXES.some((p) => k.startsWith(p))) {
      attributes[k.replace('_', '.')] = v;
    }
  }
  return {
    hrTime: [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)],
    severityText: labels.severity_text,
    body: line,
    attributes,
    stream: { service: labels.service_name, environment: labels.deployment_environment_name },
  };
}
