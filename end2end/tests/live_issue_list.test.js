// The issue list in a real browser: hydrated, live, updated in place, and back after a restart.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { notReloaded, openLive, screenshots, sendError, setupOwner, startServer, useBrowser } from './support.js';

let browser;
useBrowser((opened) => {
  browser = opened;
});

async function openIssueList(server, cookie) {
  return openLive(browser, server, cookie ?? (await setupOwner(server)));
}

test('a new error appears in the open issue list within 2 s, and its count ticks in place', async () => {
  const server = await startServer();
  try {
    const { page, problems } = await openIssueList(server);
    await page.getByText('No unresolved issues').waitFor();

    const sentAt = Date.now();
    await sendError(server, { type: 'CheckoutError', value: 'card declined for order 4711' });
    const row = page.locator('.issue-row', { hasText: 'CheckoutError: card declined for order 4711' });
    await row.waitFor({ timeout: 2_000 });
    const appearedAfter = Date.now() - sentAt;
    assert.ok(appearedAfter < 2_000, `appeared after ${appearedAfter} ms`);
    assert.equal(await row.locator('.count').innerText(), '1');
    assert.equal(await row.locator('.last-seen').textContent(), 'just now');

    await sendError(server, { type: 'CheckoutError', value: 'card declined for order 4711' });
    await row.locator('.count[title="2 events"]').waitFor({ timeout: 2_000 });
    assert.equal(await page.locator('.issue-row').count(), 1, 'the same error is one row');

    await sendError(server, { type: 'InventoryError', value: 'sku 99 out of stock' });
    const newest = page.locator('.issue-row').first();
    await newest.filter({ hasText: 'InventoryError' }).waitFor({ timeout: 2_000 });

    assert.ok(await notReloaded(page), 'no reload');
    await page.screenshot({ path: join(screenshots, 'issue-list.png'), fullPage: true });
    assert.deepEqual(problems, [], 'no errors in the browser console');
  } finally {
    await server.stop();
    server.removeData();
  }
});

test('after the server restarts, the page reconnects and shows what it missed', async () => {
  const first = await startServer();
  try {
    const cookie = await setupOwner(first);
    const { page, problems } = await openIssueList(first, cookie);
    await first.stop();
    await page.locator('.live-badge[data-state="reconnecting"]').waitFor({ timeout: 5_000 });

    const second = await startServer({ port: first.port, dataDir: first.dataDir });
    try {
      await sendError(second, { type: 'MissedError', value: 'sent while the page was reconnecting' });
      await page.locator('.live-badge[data-state="live"]').waitFor({ timeout: 20_000 });
      await page.locator('.issue-row', { hasText: 'MissedError' }).waitFor({ timeout: 2_000 });
      assert.ok(await notReloaded(page), 'no reload');
      const unexpected = problems.filter((text) => !/WebSocket|ERR_CONNECTION_REFUSED/.test(text));
      assert.deepEqual(unexpected, [], 'no errors besides the refused reconnection attempts');
    } finally {
      await second.stop();
    }
  } finally {
    await first.stop();
    first.removeData();
  }
});

test('signed out elsewhere, an open dashboard goes to the sign-in page by itself', async () => {
  const server = await startServer();
  try {
    const cookie = await setupOwner(server);
    const { page } = await openIssueList(server, cookie);
    const out = await fetch(`${server.url}/api/0/auth/logout`, { method: 'POST', headers: { cookie, origin: server.url } });
    assert.equal(out.status, 204);
    await page.waitForURL(/\/login$/, { timeout: 3_000 });
    await page.getByRole('heading', { name: 'Sign in to Faultline' }).waitFor();
  } finally {
    await server.stop();
    server.removeData();
  }
});
