import { test, expect } from './fixtures';
import { ROUTES } from '../src/services/plugin';
import { testIds } from '../src/services/testIds';

// Needs Grafana with the provisioned Loki datasource and demo traffic (`npm run demo`).
test.describe('Event viewer', () => {
  test('lists events newest first with a total count', async ({ gotoPage, page }) => {
    await gotoPage(`/${ROUTES.Events}`);
    await expect(page.getByTestId(testIds.viewer.table)).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId(testIds.viewer.total)).toContainText('events match', { timeout: 30_000 });
    await expect(page.getByTestId(testIds.viewer.table).getByRole('row')).not.toHaveCount(1);
  });

  test('filters by search and severity, keeps them in the URL across a reload', async ({ gotoPage, page }) => {
    await gotoPage(`/${ROUTES.Events}`);
    const search = page.getByTestId(testIds.viewer.search);
    await search.fill('signed');
    await search.press('Enter');
    await expect(page).toHaveURL(/q=signed/);
    await page.goto(page.url() + '&severity=INFO');
    await expect(page.getByTestId(testIds.viewer.search)).toHaveValue('signed');
    await expect(page.getByTestId(testIds.viewer.total)).toContainText('events match', { timeout: 30_000 });
    await page.getByTestId(testIds.viewer.clear).click();
    await expect(page).not.toHaveURL(/q=signed/);
  });

  test('expands a row to show the event details', async ({ gotoPage, page }) => {
    await gotoPage(`/${ROUTES.Events}`);
    const table = page.getByTestId(testIds.viewer.table);
    await expect(table).toBeVisible({ timeout: 30_000 });
    await table.getByRole('button', { name: 'Toggle row expanded' }).first().click();
    const details = page.getByTestId(testIds.viewer.details);
    await expect(details).toBeVisible();
    await expect(details.getByText('Event ID')).toBeVisible();
    await expect(details.getByText('Compliance tags')).toBeVisible();
  });

  test('pages to older events and back', async ({ gotoPage, page }) => {
    await gotoPage(`/${ROUTES.Events}?from=now-30d&to=now`);
    await expect(page.getByTestId(testIds.viewer.table)).toBeVisible({ timeout: 30_000 });
    const next = page.getByTestId(testIds.viewer.next);
    await expect(next).toBeEnabled({ timeout: 30_000 });
    await next.click();
    await expect(page).toHaveURL(/cursor=o\d+/);
    await page.getByTestId(testIds.viewer.first).click();
    await expect(page).not.toHaveURL(/cursor=/);
  });
});
