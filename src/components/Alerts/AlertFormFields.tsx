import React from 'react';
import { t } from '@grafana/i18n';
import { Field, MultiSelect, RadioButtonGroup } from '@grafana/ui';

import { type AlertKind, type AlertRuleInput } from 'services/alertsApi';
import { CATEGORIES, type Category, type Severity } from 'services/enums';
import { testIds } from 'services/testIds';

export interface FieldsProps {
  rule: AlertRuleInput;
  set: (patch: Partial<AlertRuleInput>) => void;
  errors: Partial<Record<keyof AlertRuleInput, string>>;
}

const SEVERITY_OPTIONS: Array<{ value: Severity; label: string; description: string }> = [
  { value: 'WARNING', label: 'WARNING', description: 'WARNING, ERROR and CRITICAL events' },
  { value: 'ERROR', label: 'ERROR', description: 'ERROR and CRITICAL events' },
  { value: 'CRITICAL', label: 'CRITICAL', description: 'CRITICAL events only' },
  { value: 'INFO', label: 'Any', description: 'Every severity' },
];

/** What the rule watches: matching events or a quiet service, the categories and the severity. */
export function TriggerFields({ rule, set, errors }: FieldsProps) {
  return (
    <>
      <Field label={t('alerts.form.kind', 'Trigger when')}>
        <RadioButtonGroup<AlertKind>
          value={rule.kind}
          onChange={(kind) => set({ kind, perActor: kind === 'silence' ? false : rule.perActor })}
          options={[
            { value: 'count', label: t('alerts.form.kind-count', 'Matching events arrive') },
            { value: 'silence', label: t('alerts.form.kind-silence', 'A service goes quiet') },
          ]}
        />
      </Field>
      <Field
        label={t('alerts.form.categories', 'Event categories')}
        required
        invalid={!!errors.categories}
        error={errors.categories}
        data-testid={testIds.alerts.categories}
      >
        <MultiSelect<Category>
          options={CATEGORIES.map((c) => ({ value: c, label: c }))}
          value={rule.categories}
          onChange={(xs) => set({ categories: xs.map((x) => x.value!) })}
          aria-label="Event categories"
        />
      </Field>
      <Field
        label={t('alerts.form.severity', 'Severity threshold')}
        description={t('alerts.form.severity-help', 'Only events at or above this level count')}
      >
        <RadioButtonGroup value={rule.severity} onChange={(severity) => set({ severity })} options={SEVERITY_OPTIONS} />
      </Field>
    </>
  );
}
