export { PLUGIN_BASE_URL, ROUTES, prefixRoute } from './services/plugin';

/** The time range every page opens with, as Grafana raw times. */
export const DEFAULT_TIME_RANGE = { from: 'now-24h', to: 'now' } as const;
