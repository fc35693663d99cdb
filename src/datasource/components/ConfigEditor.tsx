import React from 'react';
import { type DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Alert } from '@grafana/ui';

/** Nothing to set per datasource: Loki and the org's tenant are server-level settings of Attest. */
export function ConfigEditor(_: DataSourcePluginOptionsEditorProps) {
  return (
    <Alert severity="info" title="Counts of audit events">
      This datasource answers how many audit events match, over time or in total, for panels and alert rules. It never
      returns the events. Its Loki and this organization&apos;s tenant come from the server-level settings of Attest
      ([plugin.attest-auditcounts-datasource] in grafana.ini).
    </Alert>
  );
}
