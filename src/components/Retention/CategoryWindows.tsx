import React from 'react';
import { t } from '@grafana/i18n';
import { Button, Combobox, Field, IconButton, Input, Stack } from '@grafana/ui';

import { CATEGORIES } from 'services/schema.gen';

import { type Draft } from './draft';

const options = CATEGORIES.map((c) => ({ label: c, value: c }));

/** The categories kept for a window of their own: a row each, a category used once. */
export function CategoryWindows({ draft, setDraft }: { draft: Draft; setDraft: (d: Draft) => void }) {
  const used = new Set(draft.categories.map((c) => c.category));
  return (
    <Field
      label={t('retention.categories', 'Categories kept for a window of their own')}
      description={t('retention.categories-help', 'For example AUTH for longer than the rest.')}
    >
      <Stack direction="column" gap={1}>
        {draft.categories.map((c, i) => (
          <Stack key={i} direction="row" gap={1} alignItems="center">
            <Combobox
              width={24}
              options={options.filter((o) => o.value === c.category || !used.has(o.value))}
              value={c.category || null}
              onChange={(v) => {
                const next = [...draft.categories];
                next[i] = { ...c, category: v.value ?? '' };
                setDraft({ ...draft, categories: next });
              }}
              aria-label={t('retention.category', 'Category')}
            />
            <Input
              type="number"
              width={12}
              value={c.days}
              aria-label={t('retention.category-days', 'Days')}
              onChange={(e) => {
                const next = [...draft.categories];
                next[i] = { ...c, days: e.currentTarget.value };
                setDraft({ ...draft, categories: next });
              }}
            />
            <IconButton
              name="trash-alt"
              tooltip={t('retention.remove', 'Remove')}
              onClick={() => setDraft({ ...draft, categories: draft.categories.filter((_, j) => j !== i) })}
            />
          </Stack>
        ))}
        <div>
          <Button
            size="sm"
            variant="secondary"
            icon="plus"
            onClick={() =>
              setDraft({ ...draft, categories: [...draft.categories, { category: '', days: draft.days }] })
            }
          >
            {t('retention.add-category', 'Add a category')}
          </Button>
        </div>
      </Stack>
    </Field>
  );
}
