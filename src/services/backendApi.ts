// AuditApi over the plugin backend's resource routes (pkg/plugin/routes.go). Nothing here talks to Loki:
// the backend is the one door to the audit data.
import { lastValueFrom, Observable } from 'rxjs';
import { getBackendSrv, isFetchError } from '@grafana/runtime';

import { type AuditApi, type FieldValue } from './auditApi';
import { type AuditEvent } from './auditEvent';
import { type Cursor, type Page, decodeCursor, encodeCursor } from './page';
import { RESOURCES_URL } from './plugin';
import { followEvents } from './liveTail';
import { filterParams } from './routeParams';
import { type RetentionPolicy } from './retentionApi';
import { type OverviewStats } from './overviewStats';

export { RESOURCES_URL };

/** A route's `{error, message}` answer. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface Me {
  login: string;
  role: string;
  orgId: number;
  canRead: boolean;
  readRole: string;
  tenantConfigured: boolean;
  tracesDatasourceUid?: string;
}

export async function getResource<T>(path: string, params: Record<string, string>, signal?: AbortSignal): Promise<T> {
  return call<T>({ url: `${RESOURCES_URL}/${path}`, method: 'GET', params }, signal);
}

/** Sends a body to a resource route (POST, PUT, DELETE); errors come back as ApiError. */
export function sendResource<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, data?: unknown): Promise<T> {
  return call<T>({ url: `${RESOURCES_URL}/${path}`, method, data });
}

async function call<T>(
  req: { url: string; method: string; params?: Record<string, string>; data?: unknown },
  signal?: AbortSignal
): Promise<T> {
  const obs = getBackendSrv().fetch<T>({ ...req, showErrorAlert: false, showSuccessAlert: false });
  try {
    const res = await lastValueFrom(signal ? abortable(obs, signal) : obs);
    return res.data;
  } catch (err) {
    if (isFetchError(err)) {
      const data = err.data as { error?: unknown; message?: unknown } | undefined;
      const message = typeof data?.message === 'string' ? data.message : `HTTP ${err.status} ${err.statusText ?? ''}`;
      throw new ApiError(err.status, typeof data?.error === 'string' ? data.error : 'http', message.trim());
    }
    throw err;
  }
}

interface WirePage {
  events: AuditEvent[];
  older?: string;
  newer?: string;
  query: string;
}

interface WireOverview extends Omit<OverviewStats, 'byCategory' | 'topEventTypes'> {
  byCategory: Array<{ name: string; count: number }>;
  topEventTypes: Array<{ name: string; count: number }>;
}

export function createBackendApi(): AuditApi {
  return {
    async events({ filters, range, cursor, pageSize, signal }): Promise<Page> {
      const params = filterParams(filters, range);
      if (cursor) {
        params.cursor = encodeCursor(cursor);
      }
      if (pageSize) {
        params.pageSize = String(pageSize);
      }
      const page = await getResource<WirePage>('events', params, signal);
      return {
        events: page.events,
        query: page.query,
        older: decodeCursor(page.older) as Cursor | undefined,
        newer: decodeCursor(page.newer) as Cursor | undefined,
      };
    },
    async count(filters, range, signal) {
      return (await getResource<{ total: number }>('events/count', filterParams(filters, range), signal)).total;
    },
    async overview(filters, range, signal) {
      const o = await getResource<WireOverview>('overview', filterParams(filters, range), signal);
      return {
        ...o,
        byCategory: o.byCategory.map((c) => ({ category: c.name, count: c.count })),
        topEventTypes: o.topEventTypes.map((c) => ({ eventType: c.name, count: c.count })),
      };
    },
    async values(field, filters, range, signal) {
      const params = { ...filterParams(filters, range), field };
      return (await getResource<{ values: FieldValue[] }>('values', params, signal)).values;
    },
    tail: followEvents,
    async retention(signal) {
      return (await getResource<{ policy: RetentionPolicy }>('retention', {}, signal)).policy;
    },
    async event(id, signal) {
      try {
        return await getResource<AuditEvent>(`events/${encodeURIComponent(id)}`, {}, signal);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) {
          return undefined;
        }
        throw err;
      }
    },
  };
}

export const fetchMe = (signal?: AbortSignal) => getResource<Me>('me', {}, signal);

function abortable<T>(obs: Observable<T>, signal: AbortSignal): Observable<T> {
  return new Observable<T>((subscriber) => {
    const sub = obs.subscribe(subscriber);
    const onAbort = () => {
      sub.unsubscribe();
      subscriber.error(new DOMException('Aborted', 'AbortError'));
    };
    signal.addEventListener('abort', onAbort);
    return () => {
      signal.removeEventListener('abort', onAbort);
      sub.unsubscribe();
    };
  });
}
