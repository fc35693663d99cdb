import React, { useState } from 'react';
import { t } from '@grafana/i18n';
import { RadioButtonGroup, TimeRangeInput } from '@grafana/ui';

import { testIds } from 'services/testIds';

import { rawOf, toTimeRange } from 'components/shared/timeRange';

export const PRESETS = ['now-24h', 'now-7d', 'now-30d', 'now-90d'] as const;

interface Props {
  /** Grafana raw times: `now-7d`, `now`, or epoch milliseconds. */
  from: string;
  to: string;
  onChange: (from: string, to: string) => void;
}

/** The Overview's range: the last 24 hours, 7, 30 or 90 days, or a custom range. */
export function RangePicker({ from, to, onChange }: Props) {
  const preset = to === 'now' && (PRESETS as readonly string[]).includes(from) ? from : 'custom';
  const [customOpen, setCustomOpen] = useState(preset === 'custom');
  return (
    <>
      <div data-testid={testIds.overview.timeRange}>
        <RadioButtonGroup
          size="sm"
          value={customOpen ? 'custom' : preset}
          options={[
            { label: t('overview.range.24h', 'Last 24 hours'), value: 'now-24h' },
            { label: t('overview.range.7d', 'Last 7 days'), value: 'now-7d' },
            { label: t('overview.range.30d', 'Last 30 days'), value: 'now-30d' },
            { label: t('overview.range.90d', 'Last 90 days'), value: 'now-90d' },
            { label: t('overview.range.custom', 'Custom'), value: 'custom' },
          ]}
          onChange={(v) => {
            if (v === 'custom') {
              setCustomOpen(true);
              return;
            }
            setCustomOpen(false);
            onChange(v, 'now');
          }}
        />
      </div>
      {(customOpen || preset === 'custom') && (
        <TimeRangeInput
          value={toTimeRange(from, to)}
          timeZone="utc"
          onChange={(r) => onChange(rawOf(r.raw.from), rawOf(r.raw.to))}
        />
      )}
    </>
  );
}
