// Searching the issue list in a real browser (the query in the URL, the filter bar, parse
// errors, live updates that respect the search, more pages) and the charts' totals.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { hydrated, notReloaded, openLive, screenshots, sendError, sendEvent, setupOwner, startServer, useBrowser } from './support.js';

let browser;
useBrowser((opened) => {
  browser = opened;
});

/// An event of `level` with the error `type`.
function leveled(type, level, extra = {}) {
  return {
    ...extra,
    event_id: crypto.randomUUID().replaceAll('-', ''),
    timestamp: Date.now() / 1000,
    level,
    exception: { values: [{ type, value: `${type} happened` }] },
  };
}

async function withServer(run) {
  const server = await startServer();
  try {
    await run(server, await setupOwner(server));
  } finally {
    await server.stop();
    server.removeData();
  }
}

const titles = (page) => page.locator('.issue-row .title').allTextContents();

test('a typed search filters the list, lives in the URL, survives a reload and walks back', async () => {
  await withServer(async (server, cookie) => {
    await sendEvent(server, leveled('CheckoutError', 'error', { environment: 'production', tags: { 'browser.name': 'Chrome' } }));
    await sendEvent(server, leveled('SearchWarning', 'warning', { environment: 'staging' }));
    const { page, problems } = await openLive(browser, server, cookie);
    assert.equal((await titles(page)).length, 2);

    await page.locator('.search-input').fill('level:warning');
    await page.locator('.search-input').press('Enter');
    await page.waitForURL(/query=level%3Awarning/);
    await page.locator('.issue-row', { hasText: 'CheckoutError' }).waitFor({ state: 'detached' });
    await page.locator('.issue-row', { hasText: 'SearchWarning' }).waitFor();
    assert.deepEqual(await titles(page), ['SearchWarning: SearchWarning happened']);
    assert.equal(await page.locator('.level-filter').inputValue(), 'warning', 'the filter bar follows the search');

    await page.reload();
    await hydrated(page);
    await page.locator('.search-input[value="level:warning"]').waitFor();
    assert.deepEqual(await titles(page), ['SearchWarning: SearchWarning happened'], 'a reload keeps the search');

    // The filter bar writes its term into the search, and the URL.
    await page.locator('.level-filter').selectOption('error');
    await page.waitForURL(/query=level%3Aerror/);
    await page.locator('.issue-row', { hasText: 'CheckoutError' }).waitFor();
    assert.equal(await page.locator('.search-input').inputValue(), 'level:error');
    await page.locator('.sort-select').selectOption('events');
    await page.waitForURL(/sort=events/);

    await page.goBack();
    await page.waitForURL((url) => !url.search.includes('sort=events'));
    await page.goBack();
    await page.waitForURL(/query=level%3Awarning/);
    await page.locator('.issue-row', { hasText: 'SearchWarning' }).waitFor();
    assert.equal(await page.locator('.search-input').inputValue(), 'level:warning', 'back restores the search');

    // A tag search, and a query the language refuses: the error names the character.
    await page.locator('.search-input').fill('browser.name:Chrome');
    await page.locator('.search-input').press('Enter');
    await page.locator('.issue-row', { hasText: 'SearchWarning' }).waitFor({ state: 'detached' });
    await page.locator('.issue-row', { hasText: 'CheckoutError' }).waitFor();
    assert.deepEqual(await titles(page), ['CheckoutError: CheckoutError happened']);
    await page.locator('.search-input').fill('timesSeen:>lots');
    const error = page.locator('.query-error');
    await error.waitFor();
    assert.match(await error.textContent(), /at character 11/);
    assert.match(await error.locator('pre').textContent(), /timesSeen:>lots\n {10}\^/);
    await page.locator('.search-help-toggle').click();
    await page.locator('.search-help', { hasText: 'firstSeen:-7d' }).waitFor();
    await page.screenshot({ path: join(screenshots, 'issue-search.png'), fullPage: true });
    assert.deepEqual(problems, [], 'no errors in the browser console');
  });
});

test('while a search is shown, a new matching issue appears live, others do not, and one that stops matching leaves', async () => {
  await withServer(async (server, cookie) => {
    await sendEvent(server, leveled('FirstWarning', 'warning'));
    const { page, problems } = await openLive(browser, server, cookie, '/?query=is%3Aunresolved%20level%3Awarning');
    assert.deepEqual(await titles(page), ['FirstWarning: FirstWarning happened']);

    await sendEvent(server, leveled('IgnoredByTheSearchError', 'error'));
    const sentAt = Date.now();
    await sendEvent(server, leveled('SecondWarning', 'warning'));
    await page.locator('.issue-row', { hasText: 'SecondWarning' }).waitFor({ timeout: 2_000 });
    console.log(`matching issue shown ${Date.now() - sentAt} ms after it was sent`);
    await page.waitForTimeout(1_500);
    assert.equal(await page.locator('.issue-row', { hasText: 'IgnoredByTheSearchError' }).count(), 0, 'a non-matching issue stays out');

    const issues = await (await fetch(`${server.url}/api/0/issues/?query=FirstWarning`, { headers: { cookie } })).json();
    const resolved = await fetch(`${server.url}/api/0/issues/${issues[0].id}/`, {
      method: 'PATCH',
      headers: { cookie, origin: server.url, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'resolve' }),
    });
    assert.equal(resolved.status, 200);
    await page.locator('.issue-row', { hasText: 'FirstWarning' }).waitFor({ state: 'detached', timeout: 2_000 });
    assert.deepEqual(await titles(page), ['SecondWarning: SecondWarning happened']);
    assert.ok(await notReloaded(page), 'no reload');
    assert.deepEqual(problems, [], 'no errors in the browser console');
  });
});

test('more issues than a page load with "Show more issues", each once', async () => {
  await withServer(async (server, cookie) => {
    for (let n = 0; n < 105; n += 1) {
      await sendError(server, { type: `Paged${n}Error`, value: 'x' });
    }
    const { page } = await openLive(browser, server, cookie);
    assert.equal(await page.locator('.issue-row').count(), 100);
    await page.locator('.load-more').click();
    await page.locator('.issue-row').nth(104).waitFor();
    const shown = await titles(page);
    assert.equal(new Set(shown).size, 105, 'no issue twice');
    await page.locator('.load-more').waitFor({ state: 'detached' });
  });
});

test('the project chart and the sparklines show the events sent, and tick live', async () => {
  await withServer(async (server, cookie) => {
    const levels = ['error', 'error', 'error', 'warning', 'warning', 'fatal'];
    for (const level of levels) {
      await sendEvent(server, leveled(`Charted${level}`, level));
    }
    // A project without events says so instead of drawing nothing.
    const created = await fetch(`${server.url}/api/0/projects/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url, cookie },
      body: JSON.stringify({ name: 'Quiet' }),
    });
    const quiet = await created.json();
    const { page, problems } = await openLive(browser, server, cookie, `/projects/${quiet.id}`);
    await page.locator('.events-chart .chart-empty', { hasText: 'No events in this range yet.' }).waitFor();
    await page.locator('.new-issues-chart .chart-empty', { hasText: 'No new issues in this range yet.' }).waitFor();

    await page.goto(`${server.url}/projects/${server.projectId}`);
    await page.locator('.live-badge[data-state="live"]').waitFor();
    assert.equal(await page.locator('.events-chart .chart-empty').count(), 0);
    const total = page.locator('.events-total');
    assert.equal(await total.getAttribute('data-total'), '6');
    assert.equal(await total.textContent(), '6 events');
    const barTotals = await page.locator('.events-chart .bar').evaluateAll((bars) => bars.map((bar) => Number(bar.dataset.total)));
    assert.equal(barTotals.length, 24, 'hourly bars over 24 hours');
    assert.equal(barTotals.at(-1), 6, 'all in the current hour');
    assert.equal(await page.locator('.events-chart .bar').last().locator('title').textContent().then((t) => /6 events, 1 fatal, 3 error, 2 warning/.test(t)), true);
    assert.equal(await page.locator('.new-issues-total').getAttribute('data-total'), '3');
    assert.equal(await page.locator('.top-issues li').first().locator('a').textContent(), 'Chartederror: Chartederror happened');
    // The range shown is marked, the time axis runs from 23 hours ago to this hour, the tallest bar
    // is labelled, and the top issue's count is whole.
    assert.equal(await page.locator('.ranges a[aria-current="true"]').textContent(), '24h');
    const ticks = await page.locator('.events-chart .chart-axis span').allTextContents();
    assert.equal(ticks.length, 3, `${ticks}`);
    assert.match(ticks[2], /UTC$/);
    assert.equal(await page.locator('.events-chart .chart-peak').textContent(), '6');
    const count = page.locator('.top-issues li .count').first();
    assert.equal(await count.evaluate((el) => el.scrollWidth <= el.clientWidth + 1), true, 'the count is not cut off');

    await sendEvent(server, leveled('Chartedinfo', 'info'));
    await page.locator('.events-total[data-total="7"]').waitFor({ timeout: 3_000 });
    await page.locator('.new-issues-total[data-total="4"]').waitFor({ timeout: 3_000 });

    await page.locator('.ranges a', { hasText: '7d' }).click();
    await page.waitForURL(/range=7d/);
    await page.locator('.ranges a[aria-current="true"]', { hasText: '7d' }).waitFor();
    await page.locator('.events-chart .bar').nth(27).waitFor();
    assert.equal(await page.locator('.events-chart .bar').count(), 28, '6-hour bars over 7 days');
    assert.equal(await page.locator('.events-total').getAttribute('data-total'), '7');
    await page.screenshot({ path: join(screenshots, 'project-overview.png'), fullPage: true });

    await page.goto(`${server.url}/`);
    const sparkline = page.locator('.issue-row', { hasText: 'Chartederror' }).locator('.sparkline');
    assert.equal(await sparkline.getAttribute('aria-label'), '3 events in the last 24 hours');
    assert.deepEqual(problems, [], 'no errors in the browser console');
  });
});
