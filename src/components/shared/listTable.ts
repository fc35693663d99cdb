import { type GrafanaTheme2 } from '@grafana/data';

/** The style of the app's list tables (exports, alerts, verifications): full width, ruled rows. */
export const listTable = (theme: GrafanaTheme2) => ({
  width: '100%',
  borderCollapse: 'collapse' as const,
  'th, td': {
    padding: theme.spacing(1),
    borderBottom: `1px solid ${theme.colors.border.weak}`,
    textAlign: 'left' as const,
  },
});
