import React from 'react';
import { t } from '@grafana/i18n';
import { Badge, Button, Stack } from '@grafana/ui';

import { testIds } from 'services/testIds';

import { type LiveTail } from './useLiveTail';

interface Props {
  live: LiveTail;
  paused: boolean;
  onPause: () => void;
  onResume: () => void;
}

/** The live tail's state, pause / resume, and how many events arrived while paused. */
export function LiveControls({ live, paused, onPause, onResume }: Props) {
  return (
    <Stack direction="row" gap={1} alignItems="center">
      {paused ? (
        <span data-testid={testIds.viewer.paused}>
          <Badge
            color={live.pending > 0 ? 'orange' : 'darkgrey'}
            icon="pause"
            text={t('viewer.live-new', '{{count}} new while paused', { count: live.pending })}
          />
        </span>
      ) : (
        <Badge
          color={live.connected ? 'green' : 'darkgrey'}
          icon={live.connected ? 'circle-mono' : 'sync'}
          text={live.connected ? t('viewer.live-on', 'Streaming') : t('viewer.live-connecting', 'Connecting…')}
        />
      )}
      {live.dropped > 0 && (
        <Badge
          color="orange"
          text={t('viewer.live-dropped', '{{count}} not shown live (reload to see them)', { count: live.dropped })}
        />
      )}
      <Button
        size="sm"
        variant="secondary"
        icon={paused ? 'play' : 'pause'}
        onClick={paused ? onResume : onPause}
        data-testid={testIds.viewer.pause}
      >
        {paused ? t('viewer.live-resume', 'Resume') : t('viewer.live-pause', 'Pause')}
      </Button>
    </Stack>
  );
}
