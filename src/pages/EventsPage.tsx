import React from 'react';
import { t } from '@grafana/i18n';
import { PluginPage } from '@grafana/runtime';

import { LoadingPlaceholder } from '@grafana/ui';

import { EventViewer } from 'components/EventViewer/EventViewer';
import { useActorRef } from 'components/EventViewer/useActorRef';
import { QueryErrorAlert } from 'components/shared/QueryErrorAlert';

function EventsPage() {
  const actorRef = useActorRef();
  return (
    <PluginPage
      subTitle={t(
        'viewer.subtitle',
        'Every audit event, newest first. Filters are kept in the URL: bookmark or share a view.'
      )}
    >
      <QueryErrorAlert
        errors={[actorRef.error]}
        title={t('viewer.actor-ref-error', 'The alert’s actor could not be found')}
      />
      {actorRef.resolving ? (
        <LoadingPlaceholder text={t('viewer.actor-ref', 'Finding the alert’s actor…')} />
      ) : (
        <EventViewer />
      )}
    </PluginPage>
  );
}

export default EventsPage;
