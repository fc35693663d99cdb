import React from 'react';
import { t } from '@grafana/i18n';
import { Checkbox, Field, MultiCombobox, RadioButtonGroup } from '@grafana/ui';

import { listContactPoints } from 'services/alertsApi';
import { type Every } from 'services/reportsApi';
import { testIds } from 'services/testIds';

import { useLoader } from 'components/shared/useLoader';

export type Repeat = 'once' | Every;

export interface ScheduleChoice {
  repeat: Repeat;
  contactPoints: string[];
  runLastPeriod: boolean;
}

interface Props {
  value: ScheduleChoice;
  onChange: (v: ScheduleChoice) => void;
}

/** Once, or every month or quarter (each run covers the period just ended) with whom to tell. */
export function ScheduleFields({ value, onChange }: Props) {
  const points = useLoader(value.repeat === 'once' ? undefined : listContactPoints, 'contact-points');
  return (
    <>
      <Field
        label={t('reports.repeat', 'Repeat')}
        description={t(
          'reports.repeat-help',
          'A repeating report runs when each calendar month or quarter (UTC) ends, for that period.'
        )}
      >
        <RadioButtonGroup<Repeat>
          options={[
            { label: t('reports.once', 'Once'), value: 'once' },
            { label: t('reports.monthly', 'Monthly'), value: 'monthly' },
            { label: t('reports.quarterly', 'Quarterly'), value: 'quarterly' },
          ]}
          value={value.repeat}
          onChange={(repeat) => onChange({ ...value, repeat })}
          data-testid={testIds.reports.repeat}
        />
      </Field>
      {value.repeat !== 'once' && (
        <>
          <Field
            label={t('reports.notify', 'Notify')}
            description={t(
              'reports.notify-help',
              'Grafana contact points told when each run completes or fails, with a link. None: the default policy’s.'
            )}
          >
            <MultiCombobox
              options={(points.data?.contactPoints ?? []).map((c) => ({ label: c.name, value: c.name }))}
              value={value.contactPoints}
              onChange={(v) => onChange({ ...value, contactPoints: v.map((o) => o.value) })}
              loading={points.isLoading}
            />
          </Field>
          <Checkbox
            value={value.runLastPeriod}
            onChange={(e) => onChange({ ...value, runLastPeriod: e.currentTarget.checked })}
            label={t('reports.run-last', 'Also run now for the period that has just ended')}
          />
        </>
      )}
    </>
  );
}
