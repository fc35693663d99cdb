import pluginJson from '../plugin.json';

export const PLUGIN_ID = pluginJson.id;
export const PLUGIN_BASE_URL = `/a/${PLUGIN_ID}`;
/** The backend's resource routes. */
export const RESOURCES_URL = `/api/plugins/${PLUGIN_ID}/resources`;
export const CONFIG_URL = `/plugins/${PLUGIN_ID}`;

export enum ROUTES {
  Overview = 'overview',
  Events = 'events',
  Exports = 'exports',
  Alerts = 'alerts',
  Integrity = 'integrity',
  Retention = 'retention',
  Reports = 'reports',
}

export const prefixRoute = (route: string) => `${PLUGIN_BASE_URL}/${route}`;
