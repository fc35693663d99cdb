// The bench dataset's tenant mapped to a Grafana org of its own ("Attest bench"): Grafana is restarted
// with that mapping for a bench, and with the stack's own mapping afterwards.
import { stackConfig, startService, stopService } from '../stack/lib.mjs';
import { grafana } from '../../tests/grafana/helpers.mjs';
import { TENANT } from './dataset';

const ORG_NAME = 'Attest bench';

/** The bench org's tenant mapping, for restartGrafana. */
export const benchTenants = (orgId: number) => `${stackConfig().tenants},${orgId}=${TENANT}`;

export async function benchOrg(): Promise<number> {
  const found = await grafana('GET', `/api/orgs/name/${encodeURIComponent(ORG_NAME)}`);
  const orgId =
    found.status === 200
      ? found.body.id
      : (await grafana('POST', '/api/orgs', { body: { name: ORG_NAME } })).body.orgId;
  const base = stackConfig();
  return restartGrafana(benchTenants(orgId)).then(async () => {
    const s = await grafana('POST', '/api/plugins/attest-auditlog-app/settings', {
      org: orgId,
      body: { enabled: true, pinned: true, jsonData: { lokiUrl: base.lokiUrl, readRole: 'Admin' } },
    });
    if (s.status !== 200) {
      throw new Error(`enabling the app in org ${orgId}: ${JSON.stringify(s.body)}`);
    }
    return orgId;
  });
}

/** Grafana restarted with the bench org's tenant mapped (tenants), and read_workers when given. */
export async function restartGrafana(tenants?: string, readWorkers?: number) {
  // The product's shard size, not the test stack's small one.
  const env = { ...process.env, ATTEST_READ_SHARD_ROWS: process.env.ATTEST_READ_SHARD_ROWS ?? '25000' };
  if (tenants) {
    env.ATTEST_TENANTS = tenants;
  }
  if (readWorkers) {
    env.ATTEST_READ_WORKERS = String(readWorkers);
  }
  const cfg = stackConfig(env);
  await stopService('grafana', { cfg });
  await startService('grafana', { cfg, timeoutMillis: 120_000 });
}
