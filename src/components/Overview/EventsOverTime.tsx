import React, { useMemo } from 'react';
import {
  FieldColorModeId,
  FieldType,
  LoadingState,
  type PanelData,
  type TimeRange,
  createDataFrame,
  dateTime,
} from '@grafana/data';
import { PanelRenderer } from '@grafana/runtime';

import { CATEGORY_COLOR, isCategory } from 'services/enums';
import { type OverviewStats } from 'services/overviewStats';
import { testIds } from 'services/testIds';

import { useElementWidth } from 'components/shared/useElementWidth';

interface Props {
  overTime: OverviewStats['overTime'];
  fromMs: number;
  toMs: number;
  /** A span selected on the chart (drag), in epoch ms. */
  onSelect: (fromMs: number, toMs: number) => void;
}

/** Events over time, stacked by category, in Grafana's time series visualisation. */
export function EventsOverTime({ overTime, fromMs, toMs, onSelect }: Props) {
  const { ref, width } = useElementWidth<HTMLDivElement>();
  const data = useMemo<PanelData>(() => {
    const timeRange: TimeRange = {
      from: dateTime(fromMs),
      to: dateTime(toMs),
      raw: { from: dateTime(fromMs), to: dateTime(toMs) },
    };
    return {
      state: LoadingState.Done,
      timeRange,
      series: overTime.series.map((s) =>
        createDataFrame({
          name: s.category,
          fields: [
            { name: 'Time', type: FieldType.time, values: s.points.map((p) => p[0]) },
            {
              name: s.category,
              type: FieldType.number,
              values: s.points.map((p) => p[1]),
              // The category's colour, as on the chips and the viewer's badges.
              config: {
                displayName: s.category,
                ...(isCategory(s.category)
                  ? { color: { mode: FieldColorModeId.Fixed, fixedColor: CATEGORY_COLOR[s.category] } }
                  : {}),
              },
            },
          ],
        })
      ),
    };
  }, [overTime, fromMs, toMs]);
  return (
    <div ref={ref} data-testid={testIds.overview.overTime}>
      <PanelRenderer
        title=""
        pluginId="timeseries"
        width={width}
        height={260}
        data={data}
        onChangeTimeRange={(r) => onSelect(Math.floor(r.from), Math.ceil(r.to))}
        options={{
          legend: { showLegend: true, displayMode: 'list', placement: 'bottom' },
          tooltip: { mode: 'multi', sort: 'desc' },
        }}
        fieldConfig={{
          defaults: {
            custom: { drawStyle: 'bars', fillOpacity: 80, lineWidth: 1, stacking: { mode: 'normal', group: 'A' } },
            unit: 'short',
          },
          overrides: [],
        }}
      />
    </div>
  );
}
