// The query parameters of the backend's filter routes (pkg/plugin/request.go refuses any other). Pure, so
// Node tools (the backend bench) build the same requests as the pages.
import { type AuditFilters, defaultFilters } from './filters';
import { type TimeRangeNs } from './page';

/** Query parameters of the filter routes (the backend refuses unknown ones). */
export function filterParams(filters: Partial<AuditFilters>, range: TimeRangeNs): Record<string, string> {
  const f = { ...defaultFilters, ...filters };
  const p: Record<string, string> = { from: range.startNs, to: range.endNs };
  const set = (k: string, v: string) => {
    if (v !== '') {
      p[k] = v;
    }
  };
  set('search', f.search);
  set('category', f.categories.join(','));
  set('severity', f.severities.join(','));
  set('eventType', f.eventType);
  set('service', f.service);
  set('actor', f.actor);
  set('targetType', f.targetType);
  set('targetId', f.targetId);
  set('outcome', f.outcome);
  set('eventId', f.eventId);
  set('requestId', f.requestId);
  set('traceId', f.traceId);
  set('stack', f.stack);
  set('region', f.region);
  set('classification', f.classification);
  return p;
}
