import React from 'react';
import { t } from '@grafana/i18n';
import { Button, Stack } from '@grafana/ui';

import { type Cursor } from 'services/page';
import { testIds } from 'services/testIds';

interface Props {
  /** The first (newest) page is shown. */
  atNewest: boolean;
  /** Where the newer and older pages start (none: no such page, or live). */
  newer?: Cursor;
  older?: Cursor;
  onNewest: () => void;
  onPage: (cursor: Cursor) => void;
}

/** Newest, Newer and Older: the viewer's cursor paging. */
export function Pager({ atNewest, newer, older, onNewest, onPage }: Props) {
  return (
    <Stack direction="row" justifyContent="flex-end" gap={1}>
      <Button
        variant="secondary"
        size="sm"
        icon="angle-double-left"
        disabled={atNewest}
        onClick={onNewest}
        data-testid={testIds.viewer.first}
      >
        {t('viewer.paging.newest', 'Newest')}
      </Button>
      <Button
        variant="secondary"
        size="sm"
        icon="angle-left"
        disabled={!newer}
        onClick={() => newer && onPage(newer)}
        data-testid={testIds.viewer.previous}
      >
        {t('viewer.paging.newer', 'Newer')}
      </Button>
      <Button
        variant="secondary"
        size="sm"
        icon="angle-right"
        disabled={!older}
        onClick={() => older && onPage(older)}
        data-testid={testIds.viewer.next}
      >
        {t('viewer.paging.older', 'Older')}
      </Button>
    </Stack>
  );
}
