// The retention form's draft: text fields as typed, checked before sending (the backend checks the same).
import { t } from '@grafana/i18n';

import { type RetentionPolicy } from 'services/retentionApi';

export interface Draft {
  days: string;
  categories: Array<{ category: string; days: string }>;
  archive: boolean;
}

export const toDraft = (p: RetentionPolicy): Draft => ({
  days: String(p.days),
  categories: Object.entries(p.categories ?? {}).map(([category, days]) => ({ category, days: String(days) })),
  archive: p.archive,
});

export const fromDraft = (d: Draft): RetentionPolicy => ({
  days: Number(d.days),
  categories: Object.fromEntries(d.categories.filter((c) => c.category).map((c) => [c.category, Number(c.days)])),
  archive: d.archive,
});

/** What is wrong with the draft before it is sent (the backend checks the same). */
export function draftProblem(d: Draft, floor: number, max: number): string | undefined {
  const bad = (v: string) => !/^\d+$/.test(v) || Number(v) < floor || Number(v) > max;
  if (bad(d.days)) {
    return t('retention.days-range', 'The window is a whole number of days from {{floor}} to {{max}}.', { floor, max });
  }
  const c = d.categories.find((x) => !x.category || bad(x.days));
  if (c) {
    return c.category
      ? t('retention.category-range', '{{category}}: a whole number of days from {{floor}} to {{max}}.', {
          category: c.category,
          floor,
          max,
        })
      : t('retention.category-missing', 'Pick a category for every row, or remove the row.');
  }
  return undefined;
}
