#!/usr/bin/env node
// npm run stack        -> build (first time) and start Loki, the Collector and Grafana with the plugin
// npm run stack:stop   -> stop exactly the processes started here
//
// node scripts/stack/stack.mjs start|stop|restart|status [loki|collector|grafana|postgres ...]
// node scripts/stack/stack.mjs database-url   -> the URL of the app's database in the stack's PostgreSQL
import {
  GRAFANA_ADMIN,
  HA_SERVICES,
  S3,
  SERVICES,
  databaseUrl,
  isRunning,
  stackConfig,
  startStack,
  stopStack,
} from './lib.mjs';

const [command = 'start', ...names] = process.argv.slice(2);
const only = names.length > 0 ? names : SERVICES;
const every = [...SERVICES, ...HA_SERVICES];
const cfg = stackConfig();

function printEndpoints() {
  const lines = [
    `Loki       ${cfg.lokiUrl}   (its gateway: user attest-service, password in ${cfg.dataDir}/gateway-password, and X-Scope-OrgID)`,
    `Collector  ${cfg.otlpUrl}   (OTLP/HTTP: POST /v1/logs with X-Scope-OrgID)`,
    `           metrics http://127.0.0.1:${cfg.collectorMetricsPort}/metrics`,
    `S3         ${cfg.s3Url}   (versitygw; retention archives, bucket ${S3.bucket})`,
  ];
  lines.push(
    `Grafana    ${cfg.grafanaUrl}   (${GRAFANA_ADMIN.user}/${GRAFANA_ADMIN.password}; API level, plugin from dist/)`
  );
  lines.push(`data       ${cfg.dataDir}   logs ${cfg.logDir}`);
  console.log(lines.join('\n'));
}

try {
  switch (command) {
    case 'start':
      await startStack({ cfg, only });
      printEndpoints();
      break;
    case 'stop':
      await stopStack({ cfg, only: [...(names.length > 0 ? names : every)].reverse() });
      break;
    case 'database-url':
      console.log(databaseUrl(cfg, 'attest'));
      break;
    case 'restart':
      await stopStack({ cfg, only: [...only].reverse() });
      await startStack({ cfg, only });
      printEndpoints();
      break;
    case 'status':
      for (const name of names.length > 0 ? names : every) {
        console.log(`${name.padEnd(10)} ${isRunning(name, cfg) ? 'running' : 'stopped'}`);
      }
      break;
    default:
      console.error('usage: stack.mjs start|stop|restart|status [loki|collector|grafana|postgres ...] | database-url');
      process.exit(2);
  }
} catch (err) {
  console.error(`[stack] ${err.message}`);
  process.exit(1);
}
