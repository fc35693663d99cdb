import React, { useState } from 'react';
import { t } from '@grafana/i18n';
import { Alert, Button, ConfirmModal, Field, Input, Stack } from '@grafana/ui';

import { type Erasure, eraseSubject } from 'services/subjectsApi';
import { testIds } from 'services/testIds';

import { QueryErrorAlert } from 'components/shared/QueryErrorAlert';

/** Erase a person (GDPR Art. 17): their identities in the trail can no longer be read; the trail stays. */
export function EraseSubject() {
  const [subject, setSubject] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<Erasure>();
  const [error, setError] = useState<unknown>();

  const erase = async () => {
    setConfirming(false);
    try {
      setDone(await eraseSubject(subject.trim()));
      setError(undefined);
      setSubject('');
    } catch (e) {
      setError(e);
      setDone(undefined);
    }
  };

  return (
    <div data-testid={testIds.retention.erase}>
      <Field
        label={t('retention.erase', 'Erase a person (GDPR right to erasure)')}
        description={t(
          'retention.erase-help',
          'Their identities are stored encrypted under a key of their own; erasing deletes the key. Every entry stays, counts and verifies, but shows [erased] instead of the person. Exports and reports that name them are deleted.'
        )}
      >
        <Stack direction="row" gap={1}>
          <Input
            width={40}
            placeholder={t('retention.erase-placeholder', 'User id or e-mail address')}
            value={subject}
            onChange={(e) => setSubject(e.currentTarget.value)}
            data-testid={testIds.retention.eraseInput}
          />
          <Button variant="destructive" disabled={subject.trim() === ''} onClick={() => setConfirming(true)}>
            {t('retention.erase-button', 'Erase')}
          </Button>
        </Stack>
      </Field>
      <QueryErrorAlert errors={[error]} title={t('retention.erase-error', 'Not erased')} />
      {done && (
        <Alert severity="success" title={t('retention.erased', 'Erased')}>
          {t(
            'retention.erased-detail',
            'Identities shredded; {{scrubbed}} export or report requests scrubbed, {{deleted}} files deleted. The erasure is in the trail as {{id}}, without the person.',
            { id: done.erasureId, scrubbed: done.jobsScrubbed, deleted: done.filesDeleted }
          )}
        </Alert>
      )}
      <ConfirmModal
        isOpen={confirming}
        title={t('retention.erase-confirm-title', 'Erase {{subject}}?', { subject })}
        body={t(
          'retention.erase-confirm-body',
          'This cannot be undone: no one, including Admins, will read this person’s identity in the trail again.'
        )}
        confirmText={t('retention.erase-button', 'Erase')}
        onConfirm={erase}
        onDismiss={() => setConfirming(false)}
      />
    </div>
  );
}
