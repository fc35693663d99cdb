// A fake of the backend's resource routes for page tests: the JSON each route answers (pkg/plugin/
// routes.go), served through the mocked getBackendSrv (test/runtimeMock), so pages read through the
// real createBackendApi as they do in Grafana.
import { of, throwError } from 'rxjs';

import { type AuditEvent } from 'services/auditEvent';

export interface BackendRequest {
  url: string;
  method: string;
  params?: Record<string, string>;
  data?: unknown;
}

/** A route's answer, or a thrown `{status, data: {error, message}}` as the backend errs. */
export type Route = (params: Record<string, string>, req: BackendRequest) => unknown;

/** Answers each request by the route its path names (`events`, `events/count`, `overview`, …). */
export function serveBackend(routes: Record<string, Route>): jest.Mock {
  const backendFetch: jest.Mock = jest.requireMock('@grafana/runtime').backendFetch;
  backendFetch.mockImplementation((req: BackendRequest) => {
    const path = req.url.replace(/^.*\/resources\//, '');
    const route = routes[path];
    if (!route) {
      return throwError(() => ({ status: 404, data: { error: 'not_found', message: `no route ${path}` } }));
    }
    try {
      return of({ status: 200, data: route(req.params ?? {}, req) });
    } catch (err) {
      return throwError(() => err);
    }
  });
  return backendFetch;
}

/** The requests made to one route, with their query parameters. */
export const callsTo = (fetch: jest.Mock, path: string): Array<Record<string, string>> =>
  fetch.mock.calls
    .map(([req]: [BackendRequest]) => req)
    .filter((req) => req.url.endsWith(`/resources/${path}`))
    .map((req) => req.params ?? {});

/** An event as GET events answers it; fields not given are empty. */
export function anEvent(e: Partial<AuditEvent> & Pick<AuditEvent, 'tsNs'>): AuditEvent {
  return {
    key: e.id ?? `~${e.tsNs}`,
    timeMs: Number(e.tsNs.slice(0, -6)),
    id: '',
    description: '',
    category: '',
    severity: '',
    eventType: '',
    action: '',
    outcome: '',
    actorType: '',
    actorId: '',
    actorEmail: '',
    actorName: '',
    actorRoles: [],
    targetType: '',
    targetId: '',
    targetName: '',
    service: '',
    environment: '',
    clientAddress: '',
    userAgent: '',
    sessionId: '',
    requestId: '',
    stack: '',
    region: '',
    classification: [],
    traceId: '',
    spanId: '',
    compliance: [],
    changes: '',
    metadata: '',
    chainId: '',
    chainSeq: '',
    chainPrev: '',
    chainHash: '',
    labels: {},
    ...e,
  };
}
