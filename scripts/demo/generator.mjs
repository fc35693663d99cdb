// A realistic, seeded mix of audit events: all 14 categories, all four severities, several
// services, tenants, people and system actors, targets and before/after changes.
// Used by `npm run demo`, the ingest bench and the end-to-end tests (seeded, so a test knows
// exactly what it loaded). Load it with tsx (`node --import tsx`): it shares the schema's enums
// with the instrumentation package.
import { v7 as uuidv7 } from 'uuid';

import { DEFAULT_COMPLIANCE_MAPPING, complianceTags } from '../../instrumentation/src/compliance.ts';
import { ATTR, AUDIT_CATEGORIES as CATEGORIES } from '../../instrumentation/src/schema.gen.ts';
import { SEVERITY_NUMBERS as SEVERITY_NUMBER } from '../../instrumentation/src/schema.ts';

export { CATEGORIES, SEVERITY_NUMBER };

export const SERVICES = [
  { name: 'identity-service', environment: 'production' },
  { name: 'billing-api', environment: 'production' },
  { name: 'asset-registry', environment: 'production' },
  { name: 'platform-controller', environment: 'production' },
  { name: 'ml-gateway', environment: 'staging' },
];

export const TENANTS = ['acme', 'globex', 'initech'];

const PEOPLE = [
  { id: 'u-1001', email: 'alice.martin@acme.example', name: 'Alice Martin', roles: ['admin'] },
  { id: 'u-1002', email: 'bob.nguyen@acme.example', name: 'Bob Nguyen', roles: ['it-admin'] },
  { id: 'u-1003', email: 'chloé.dubois@globex.example', name: 'Chloé Dubois', roles: ['super-admin', 'auditor'] },
  { id: 'u-1004', email: 'dmitri.ivanov@globex.example', name: 'Dmitri Ivanov', roles: ['member'] },
  { id: 'u-1005', email: 'eva.schmidt@initech.example', name: 'Eva Schmidt', roles: ['finance'] },
  { id: 'u-1006', email: 'farah.haddad@initech.example', name: 'Farah Haddad', roles: ['member', 'support'] },
  { id: 'u-1007', email: 'george.okafor@acme.example', name: 'George Okafor', roles: ['developer'] },
  { id: 'u-1008', email: 'hana.sato@globex.example', name: 'Hana Sato', roles: ['admin'] },
];

const MACHINES = [
  { id: 'system', name: 'System', type: 'system' },
  { id: 'svc-retention-pruner', name: 'retention-pruner', type: 'service' },
  { id: 'key_live_7Hq2', name: 'CI deploy key', type: 'api_key' },
];

const UA = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0 Safari/537.36',
  'curl/8.5.0',
  'attest-sdk-node/0.1',
];

/**
 * Event catalogue: [category, type, action, outcome, severity, service index, target type, describe(ctx)].
 * Weights make routine events common and CRITICAL ones rare, as in a real trail.
 */
const CATALOGUE = [
  ['AUTH', 'auth.login.succeeded', 'login', 'success', 'INFO', 0, null, (c) => `${c.actorName} signed in`, 30],
  ['AUTH', 'auth.login.failed', 'login', 'failure', 'WARNING', 0, null, (c) => `Failed sign-in for ${c.email}`, 8],
  ['AUTH', 'auth.logout', 'logout', 'success', 'INFO', 0, null, (c) => `${c.actorName} signed out`, 12],
  [
    'AUTH',
    'auth.mfa.enrolled',
    'update',
    'success',
    'INFO',
    0,
    'user',
    (c) => `${c.actorName} enrolled an authenticator app`,
    2,
  ],
  ['USER_MGMT', 'user.created', 'create', 'success', 'INFO', 0, 'user', (c) => `User ${c.targetName} created`, 5],
  ['USER_MGMT', 'user.updated', 'update', 'success', 'INFO', 0, 'user', (c) => `Role of ${c.targetName} changed`, 6],
  ['USER_MGMT', 'user.deleted', 'delete', 'success', 'WARNING', 0, 'user', (c) => `User ${c.targetName} deleted`, 2],
  [
    'USER_MGMT',
    'user.deactivated',
    'update',
    'success',
    'INFO',
    0,
    'user',
    (c) => `User ${c.targetName} deactivated`,
    2,
  ],
  [
    'TENANT_MGMT',
    'tenant.settings.updated',
    'update',
    'success',
    'INFO',
    3,
    'tenant',
    (c) => `Tenant settings updated: session timeout`,
    2,
  ],
  [
    'SUBSCRIPTION',
    'subscription.updated',
    'update',
    'success',
    'INFO',
    1,
    'subscription',
    (c) => `Plan changed for ${c.tenant}`,
    2,
  ],
  [
    'SUBSCRIPTION',
    'subscription.seat.assigned',
    'update',
    'success',
    'INFO',
    1,
    'subscription',
    (c) => `Seat assigned to ${c.targetName}`,
    3,
  ],
  [
    'PERMISSION',
    'permission.override.created',
    'create',
    'success',
    'WARNING',
    0,
    'role',
    (c) => `Permission override created on ${c.targetName}`,
    2,
  ],
  ['PERMISSION', 'role.updated', 'update', 'success', 'INFO', 0, 'role', (c) => `Role ${c.targetName} updated`, 3],
  [
    'PERMISSION',
    'permission.override.deleted',
    'delete',
    'success',
    'INFO',
    0,
    'role',
    (c) => `Permission override deleted on ${c.targetName}`,
    1,
  ],
  ['DATA_ACCESS', 'pii.read.user', 'read', 'success', 'INFO', 0, 'user', (c) => `pii.read.user ${c.targetName}`, 10],
  [
    'DATA_ACCESS',
    'pii.read.hardware',
    'read',
    'success',
    'INFO',
    2,
    'hardware',
    (c) => `pii.read.hardware ${c.targetName}`,
    5,
  ],
  [
    'DATA_ACCESS',
    'record.access.denied',
    'read',
    'denied',
    'WARNING',
    2,
    'hardware',
    (c) => `Access to ${c.targetName} denied`,
    2,
  ],
  ['DATA_MODIFY', 'hardware.created', 'create', 'success', 'INFO', 2, 'hardware', (c) => `${c.targetName} created`, 6],
  [
    'DATA_MODIFY',
    'hardware.updated',
    'update',
    'success',
    'INFO',
    2,
    'hardware',
    (c) => `${c.targetName} assigned to ${c.otherName}`,
    8,
  ],
  ['DATA_MODIFY', 'hardware.deleted', 'delete', 'success', 'INFO', 2, 'hardware', (c) => `${c.targetName} deleted`, 2],
  [
    'DATA_MODIFY',
    'invoice.updated',
    'update',
    'success',
    'INFO',
    1,
    'invoice',
    (c) => `Invoice ${c.targetId} amount corrected`,
    3,
  ],
  [
    'INFRASTRUCTURE',
    'stack.provisioned',
    'create',
    'success',
    'INFO',
    3,
    'stack',
    (c) => `Stack ${c.targetName} provisioned in ${c.region}`,
    2,
  ],
  [
    'INFRASTRUCTURE',
    'stack.updated',
    'update',
    'success',
    'INFO',
    3,
    'stack',
    (c) => `Stack ${c.targetName} updated`,
    2,
  ],
  [
    'INFRASTRUCTURE',
    'stack.failed',
    'update',
    'failure',
    'ERROR',
    3,
    'stack',
    (c) => `Stack ${c.targetName} update failed: quota exceeded`,
    1,
  ],
  [
    'SECURITY',
    'security.suspicious_access',
    'login',
    'denied',
    'CRITICAL',
    0,
    'user',
    (c) => `Impossible travel: ${c.email} from two countries within 5 minutes`,
    0.3,
  ],
  [
    'SECURITY',
    'security.password.changed',
    'update',
    'success',
    'INFO',
    0,
    'user',
    (c) => `${c.actorName} changed their password`,
    2,
  ],
  [
    'SECURITY',
    'security.sso.role.changed',
    'update',
    'success',
    'WARNING',
    0,
    'role',
    (c) => `SCIM changed role ${c.targetName}`,
    1,
  ],
  [
    'COMPLIANCE',
    'compliance.report.generated',
    'export',
    'success',
    'INFO',
    3,
    'report',
    (c) => `SOX report "${c.quarter} SOX Audit" generated`,
    1,
  ],
  [
    'COMPLIANCE',
    'audit.export.downloaded',
    'export',
    'success',
    'INFO',
    3,
    null,
    (c) => `Audit log export downloaded`,
    1,
  ],
  [
    'API_ACCESS',
    'api_key.used',
    'read',
    'success',
    'INFO',
    1,
    'api_key',
    (c) => `API key ${c.targetName} used for GET /v1/invoices`,
    12,
  ],
  [
    'API_ACCESS',
    'api_key.created',
    'create',
    'success',
    'WARNING',
    1,
    'api_key',
    (c) => `API key ${c.targetName} created`,
    1,
  ],
  [
    'API_ACCESS',
    'api.rate_limited',
    'read',
    'denied',
    'WARNING',
    1,
    'api_key',
    (c) => `API key ${c.targetName} rate limited`,
    2,
  ],
  ['FILE_OPS', 'file.uploaded', 'create', 'success', 'INFO', 2, 'file', (c) => `File ${c.targetName} uploaded`, 5],
  ['FILE_OPS', 'file.downloaded', 'read', 'success', 'INFO', 2, 'file', (c) => `File ${c.targetName} downloaded`, 5],
  [
    'FILE_OPS',
    'file.shared',
    'update',
    'success',
    'INFO',
    2,
    'file',
    (c) => `File ${c.targetName} shared with ${c.otherName}`,
    2,
  ],
  ['FILE_OPS', 'file.deleted', 'delete', 'success', 'INFO', 2, 'file', (c) => `File ${c.targetName} deleted`, 1],
  [
    'AI_USAGE',
    'ai.model.invoked',
    'invoke',
    'success',
    'INFO',
    4,
    'model',
    (c) => `Model ${c.targetName} invoked (${c.tokens} tokens)`,
    8,
  ],
  [
    'AI_USAGE',
    'ai.quota.exceeded',
    'invoke',
    'denied',
    'WARNING',
    4,
    'model',
    (c) => `Token quota exceeded for ${c.tenant}`,
    1,
  ],
  [
    'SYSTEM',
    'system.retention.pruned',
    'delete',
    'success',
    'INFO',
    3,
    null,
    (c) => `Retention prune removed ${c.count} entries older than ${c.cutoff}`,
    1,
  ],
  [
    'SYSTEM',
    'system.task.completed',
    'run',
    'success',
    'INFO',
    3,
    'task',
    (c) => `Background task ${c.targetName} completed`,
    3,
  ],
  [
    'SYSTEM',
    'system.task.failed',
    'run',
    'failure',
    'ERROR',
    3,
    'task',
    (c) => `Background task ${c.targetName} failed`,
    0.8,
  ],
  [
    'SYSTEM',
    'system.backup.failed',
    'run',
    'failure',
    'CRITICAL',
    3,
    'task',
    (c) => `Nightly backup failed: storage unreachable`,
    0.2,
  ],
];

const TARGET_NAMES = {
  user: (r) => PEOPLE[r.int(PEOPLE.length)].name,
  hardware: (r) => `Hardware #${100 + r.int(400)}`,
  tenant: () => 'Tenant settings',
  subscription: () => 'Enterprise plan',
  role: (r) => ['admin', 'it-admin', 'finance', 'support', 'auditor'][r.int(5)],
  invoice: (r) => `INV-2026-${String(r.int(9999)).padStart(4, '0')}`,
  stack: (r) => ['eu-prod-1', 'us-prod-2', 'ap-staging'][r.int(3)],
  report: () => 'Quarterly SOX report',
  api_key: (r) => ['CI deploy key', 'Billing sync key', 'Partner export key'][r.int(3)],
  file: (r) => ['contract-2026.pdf', 'payroll-q3.xlsx', 'architecture.png', 'export.csv'][r.int(4)],
  model: (r) => ['gpt-small', 'embed-v3', 'rerank-2'][r.int(3)],
  task: (r) => ['nightly-sync', 'invoice-run', 'index-rebuild'][r.int(3)],
};

/** mulberry32: small, fast, seeded. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), pick: (arr) => arr[Math.floor(next() * arr.length)] };
}

const totalWeight = CATALOGUE.reduce((s, e) => s + e[8], 0);
function pickEntry(r) {
  let x = r.next() * totalWeight;
  for (const e of CATALOGUE) {
    x -= e[8];
    if (x <= 0) {
      return e;
    }
  }
  return CATALOGUE[0];
}

/**
 * One audit event in the wire schema of docs/schema.md (attributes keyed by their OTel names).
 * @returns {{ timeUnixNano: bigint, tenant: string, service: {name, environment}, severityText: string,
 *   severityNumber: number, eventName: string, body: string, attributes: Record<string, string> }}
 */
export function makeEvent(r, { timeMillis, tenant, forceCategory } = {}) {
  let entry = pickEntry(r);
  if (forceCategory) {
    const candidates = CATALOGUE.filter((e) => e[0] === forceCategory);
    entry = candidates[r.int(candidates.length)];
  }
  const [category, type, action, outcome, severity, serviceIndex, targetType, describe] = entry;
  const machineEvent = category === 'SYSTEM' || type === 'compliance.report.generated';
  const actor = machineEvent ? MACHINES[r.int(MACHINES.length)] : { ...PEOPLE[r.int(PEOPLE.length)], type: 'user' };
  const other = PEOPLE[r.int(PEOPLE.length)];
  const targetId = targetType ? `${targetType.slice(0, 3)}-${1000 + r.int(9000)}` : undefined;
  const targetName = targetType ? TARGET_NAMES[targetType](r) : undefined;
  const ctx = {
    actorName: actor.name,
    email: actor.email ?? other.email,
    targetName,
    targetId,
    otherName: other.name,
    tenant: tenant ?? TENANTS[r.int(TENANTS.length)],
    region: ['eu-west-1', 'us-east-2'][r.int(2)],
    quarter: `Q${1 + r.int(4)} 2026`,
    tokens: 200 + r.int(8000),
    count: 1000 + r.int(90000),
    cutoff: '2025-11-23',
  };
  const attributes = {
    [ATTR.id]: uuidv7({ msecs: timeMillis }),
    [ATTR.event]: type,
    [ATTR.category]: category,
    [ATTR.action]: action,
    [ATTR.outcome]: outcome,
    [ATTR.actorType]: actor.type,
    [ATTR.userId]: actor.id,
    [ATTR.userName]: actor.name,
    [ATTR.clientAddress]: `${10 + r.int(200)}.${r.int(255)}.${r.int(255)}.${1 + r.int(254)}`,
    [ATTR.userAgent]: actor.type === 'user' ? UA[r.int(2)] : UA[2 + r.int(2)],
    [ATTR.requestId]: uuidv7({ msecs: timeMillis }),
  };
  if (actor.email) {
    attributes[ATTR.userEmail] = actor.email;
  }
  if (actor.roles) {
    attributes[ATTR.userRoles] = actor.roles.join(',');
    attributes[ATTR.sessionId] = `sess-${actor.id}-${r.int(50)}`;
  }
  if (targetType) {
    attributes[ATTR.targetType] = targetType;
    attributes[ATTR.targetId] = targetId;
    attributes[ATTR.targetName] = targetName;
  }
  if (action === 'update' && targetType) {
    attributes[ATTR.changes] = JSON.stringify(changesFor(targetType, r, other));
  }
  if (type === 'audit.export.downloaded') {
    attributes[ATTR.metadata] = JSON.stringify({
      format: 'csv',
      filters: { category: ['AUTH'], from: '2026-10-01' },
    });
  } else if (type === 'ai.model.invoked') {
    attributes[ATTR.metadata] = JSON.stringify({ tokens: ctx.tokens, latency_ms: 100 + r.int(2000) });
  } else if (type.startsWith('pii.read')) {
    attributes[ATTR.metadata] = JSON.stringify({ page: `/admin/${targetType}s/${targetId}` });
  }
  attributes[ATTR.compliance] = complianceFor(category, type);
  const service = SERVICES[serviceIndex];
  return {
    timeUnixNano: BigInt(timeMillis) * 1_000_000n + BigInt(r.int(1_000_000)),
    tenant: ctx.tenant,
    service,
    severityText: severity,
    severityNumber: SEVERITY_NUMBER[severity],
    eventName: type,
    body: describe(ctx),
    attributes,
  };
}

function changesFor(targetType, r, other) {
  switch (targetType) {
    case 'user':
    case 'role':
      return { before: { roles: ['member'], active: true }, after: { roles: ['member', 'admin'], active: true } };
    case 'hardware':
      return { before: { assignee: null, status: 'in_stock' }, after: { assignee: other.email, status: 'assigned' } };
    case 'invoice':
      return { before: { amount: 1200 + r.int(500), currency: 'EUR' }, after: { amount: 1150, currency: 'EUR' } };
    case 'stack':
      return { before: { nodes: 3, version: '1.28' }, after: { nodes: 5, version: '1.29' } };
    case 'subscription':
      return { before: { seats: 25 }, after: { seats: 26 } };
    default:
      return { before: { shared_with: [] }, after: { shared_with: [other.email] } };
  }
}

/** The package's default compliance table, with the data kinds the demo's event types touch. */
function complianceFor(category, type) {
  const kinds = type.startsWith('pii.') ? ['pii'] : type.startsWith('invoice') ? ['financial'] : [];
  return complianceTags(DEFAULT_COMPLIANCE_MAPPING, category, kinds).join(',');
}

/**
 * Generates `count` events spread evenly (with jitter) over [startMillis, endMillis), oldest first.
 * The same seed gives the same events, except `audit.id`/`audit.request.id`, whose UUIDv7 random bits are fresh.
 */
export function* generateEvents({ count, startMillis, endMillis, seed = 1, tenant } = {}) {
  const r = rng(seed);
  const span = Math.max(1, endMillis - startMillis);
  for (let i = 0; i < count; i++) {
    const timeMillis = Math.floor(startMillis + (span * (i + r.next())) / count);
    // The first 14 events cover every category once, so even a small load has them all.
    const forceCategory = i < CATEGORIES.length ? CATEGORIES[i] : undefined;
    yield makeEvent(r, { timeMillis: Math.min(timeMillis, endMillis - 1), tenant, forceCategory });
  }
}
