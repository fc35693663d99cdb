import { test, expect } from './fixtures';
import { ROUTES } from '../src/services/plugin';
import { testIds } from '../src/services/testIds';

// Needs Grafana with the provisioned Loki datasource and demo traffic (`npm run demo`).
test.describe('Overview', () => {
  test('shows the stat cards, categories and charts', async ({ gotoPage, page }) => {
    await gotoPage(`/${ROUTES.Overview}`);
    await expect(page.getByTestId(testIds.overview.container)).toBeVisible();
    await expect(page.getByTestId(testIds.overview.statTotal)).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId(testIds.overview.statCritical)).toBeVisible();
    await expect(page.getByTestId(testIds.overview.statWarnings)).toBeVisible();
    await expect(page.getByTestId(testIds.overview.statUsers)).toBeVisible();
    await expect(page.getByTestId(testIds.overview.categoryChip).first()).toBeVisible();
    await expect(page.getByTestId(testIds.overview.overTime)).toBeVisible();
    await expect(page.getByTestId(testIds.overview.topEventTypes)).toBeVisible();
  });

  test('switching the time range updates the URL', async ({ gotoPage, page }) => {
    await gotoPage(`/${ROUTES.Overview}`);
    await page.getByTestId(testIds.overview.timeRange).getByText('Last 7 days').click();
    await expect(page).toHaveURL(/from=now-7d/);
    await expect(page.getByTestId(testIds.overview.statTotal)).toBeVisible({ timeout: 30_000 });
  });

  test('a category chip opens the Event viewer filtered to that category', async ({ gotoPage, page }) => {
    await gotoPage(`/${ROUTES.Overview}`);
    const chip = page.getByTestId(testIds.overview.categoryChip).first();
    await expect(chip).toBeVisible({ timeout: 30_000 });
    const category = (await chip.textContent())?.split(' ')[0] ?? '';
    await chip.click();
    await expect(page).toHaveURL(new RegExp(`/events\\?.*category=${category}`));
    await expect(page.getByTestId(testIds.viewer.table)).toBeVisible({ timeout: 30_000 });
  });
});
