import { test, expect } from './fixtures';
import { testIds } from '../src/services/testIds';

test('configuration page picks the Loki datasource and explains tenants per org', async ({ appConfigPage, page }) => {
  await expect(page.getByTestId(testIds.appConfig.container)).toBeVisible();
  await expect(page.getByTestId(testIds.appConfig.lokiUrl)).toBeVisible();
  await expect(page.getByText(/X-Scope-OrgID/).first()).toBeVisible();

  // The provisioned datasource (provisioning/datasources/loki.yaml) is preselected: saving keeps it.
  const saveResponse = appConfigPage.waitForSettingsResponse();
  await page.getByTestId(testIds.appConfig.submit).click();
  await expect(saveResponse).toBeOK();
});
