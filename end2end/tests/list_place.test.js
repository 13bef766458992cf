// Keeping the user's place in a long issue list: "Show more issues" puts its cursor in the URL,
// so that Back from an issue, a reload or a shared link shows the same rows, and Back scrolls to
// where the user was.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hydrated, sendError, setupOwner, signedInContext, startServer, useBrowser, watchedPage } from './support.js';

let browser;
useBrowser((opened) => {
  browser = opened;
});

const rows = (page) => page.locator('.issue-row');

test('Back from an issue found through "Show more issues" shows the same rows, scrolled where they were', async () => {
  const server = await startServer();
  try {
    const cookie = await setupOwner(server);
    for (let n = 0; n < 150; n++) await sendError(server, { type: `Kind${n}Error`, value: `failure number ${n}` });

    const context = await signedInContext(browser, server, cookie);
    const { page, problems } = await watchedPage(context);
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(`${server.url}/`);
    await hydrated(page);
    assert.equal(await rows(page).count(), 100, 'the first page');

    await page.locator('button.load-more', { hasText: 'Show more issues' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.issue-row').length === 150);
    assert.match(new URL(page.url()).searchParams.get('cursor') ?? '', /^\d+:\d+$/, 'the cursor is in the URL');
    assert.equal(await page.locator('button.load-more').count(), 0, 'every issue is shown');

    // Far down the second page: the fifth-oldest issue.
    const target = rows(page).filter({ hasText: 'Kind4Error' });
    await target.scrollIntoViewIfNeeded();
    const scrolled = await page.evaluate(() => scrollY);
    assert.ok(scrolled > 2000, `scrolled ${scrolled} px down`);
    const listUrl = page.url();
    await target.locator('a.title').click();
    await page.locator('h1', { hasText: 'Kind4Error' }).waitFor();
    assert.equal(await page.evaluate(() => scrollY), 0, 'the issue opens at its top');

    await page.goBack();
    await page.waitForFunction(() => document.querySelectorAll('.issue-row').length === 150);
    assert.equal(page.url(), listUrl);
    await page.waitForFunction((at) => Math.abs(scrollY - at) < 2, scrolled, { timeout: 5_000 });
    const box = await target.boundingBox();
    assert.ok(box.y >= 0 && box.y + box.height <= 900, `the issue opened is on the screen again, at ${box.y}`);

    // A reload (or the link shared) shows the same rows, rendered by the server.
    const reloaded = await context.newPage();
    await reloaded.goto(listUrl);
    assert.equal(await rows(reloaded).count(), 150, 'the server renders every page through the cursor');

    // The list reached by a link, not by Back, is its first page, at the top.
    await target.locator('a.title').click();
    await page.locator('h1', { hasText: 'Kind4Error' }).waitFor();
    await page.locator('nav a', { hasText: 'Issues' }).first().click();
    await page.waitForFunction(() => document.querySelectorAll('.issue-row').length === 100);
    assert.equal(new URL(page.url()).searchParams.get('cursor'), null);
    assert.ok((await page.evaluate(() => scrollY)) < 900, 'a new visit starts at the top');
    assert.deepEqual(problems, [], 'no errors in the browser console');
  } finally {
    await server.stop();
    server.removeData();
  }
});
