export { PLUGIN_BASE_URL, ROUTES, prefixRoute } from './services/plugin';
