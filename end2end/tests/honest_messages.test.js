// Pages say what is true: an issue that does not exist answers 404 with one message, and a
// wrong event of an existing issue says the event is missing, not the issue.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getJson, hydrated, sendError, setupOwner, signedInContext, startServer, useBrowser, watchedPage } from './support.js';

let browser;
useBrowser((opened) => {
  browser = opened;
});

test('a missing issue answers 404 with one clear message', async () => {
  const server = await startServer();
  try {
    const cookie = await setupOwner(server);
    await sendError(server, { type: 'RealError', value: 'exists' });
    const [issue] = await getJson(server, cookie, '/api/0/issues/');

    const answer = await fetch(`${server.url}/issues/99999`, { headers: { cookie } });
    assert.equal(answer.status, 404, 'the page itself answers 404');
    assert.equal((await fetch(`${server.url}/issues/${issue.id}`, { headers: { cookie } })).status, 200);

    const { page, problems } = await watchedPage(await signedInContext(browser, server, cookie));
    await page.goto(`${server.url}/issues/99999`);
    await hydrated(page);
    const message = page.getByRole('alert');
    await message.getByRole('heading', { name: 'Issue not found' }).waitFor();
    assert.match(await message.textContent(), /There is no issue 99999: it was deleted, or it belongs to a project you are not a member of/);
    assert.equal(await page.getByRole('alert').count(), 1, 'one message, not one per part of the page');
    assert.equal(await page.locator('nav.tabs').count(), 0, 'no tabs of an issue that is not there');
    assert.equal(await page.getByText('no such issue').count(), 0);
    await message.getByRole('link', { name: 'Back to the issues' }).click();
    await page.locator('.issue-row', { hasText: 'RealError' }).waitFor();

    // An existing issue with an event id it does not have still shows the issue.
    await page.goto(`${server.url}/issues/${issue.id}?event=ffffffffffffffffffffffffffffffff`);
    await hydrated(page);
    await page.locator('.issue-title', { hasText: 'RealError' }).waitFor();
    await page.locator('nav.tabs').waitFor();
    // The browser logs the 404 answers the page expected.
    assert.deepEqual(problems.filter((p) => !p.includes('404')), []);
  } finally {
    await server.stop();
    server.removeData();
  }
});

test('the issue page links its project, says until when it is ignored, and lists events with their environment, release, user and message', async () => {
  const server = await startServer();
  try {
    const cookie = await setupOwner(server);
    const long = `${'a very long explanation of what went wrong '.repeat(8)}end`;
    await sendError(server, {
      type: 'CheckoutError',
      value: long,
      extra: {
        environment: 'production-eu-west-with-a-very-long-environment-name-that-does-not-wrap-by-itself',
        release: 'shop@2.0.1',
        user: { email: 'ada@example.com' },
        logentry: { formatted: 'Checkout of cart 17 failed' },
      },
    });
    const [issue] = await getJson(server, cookie, '/api/0/issues/');
    const ignored = await fetch(`${server.url}/api/0/issues/${issue.id}/`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', origin: server.url, cookie },
      body: JSON.stringify({ action: 'ignore', until: { more_events: 10 } }),
    });
    assert.equal(ignored.status, 200);

    const { page, problems } = await watchedPage(await signedInContext(browser, server, cookie));
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(`${server.url}/issues/${issue.id}`);
    await hydrated(page);
    await page.locator('.issue-header .snooze', { hasText: 'until 10 more events' }).waitFor();

    // A long title (the server keeps its first 200 characters) is cut to three lines, all of it
    // on hover; the environments fit.
    const title = page.locator('.issue-title');
    assert.equal(await title.getAttribute('title'), issue.title, 'the whole stored title');
    const scrolled = await title.evaluate((el) => el.scrollHeight > el.clientHeight);
    assert.ok(scrolled, 'this title is longer than three lines');
    const lines = await title.evaluate((el) => Math.round(el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight)));
    assert.ok(lines <= 3, `the title takes ${lines} lines`);
    const facts = await page.locator('.issue-facts dd.environments').evaluate((el) => ({ right: el.getBoundingClientRect().right, width: innerWidth }));
    assert.ok(facts.right <= facts.width, `the environments end at ${facts.right} of ${facts.width}`);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), true);

    // The Events tab.
    await page.getByRole('link', { name: 'Events', exact: true }).click();
    const row = page.locator('.event-row').first();
    await row.waitFor();
    assert.equal(await row.locator('.release').textContent(), 'shop@2.0.1');
    assert.equal(await row.locator('.user').textContent(), 'ada@example.com');
    assert.equal(await row.locator('.message').textContent(), 'Checkout of cart 17 failed');
    assert.match(await row.locator('.environment').textContent(), /^production-eu-west/);

    // A second event arrives live, with the same columns.
    await sendError(server, { type: 'CheckoutError', value: long, extra: { release: 'shop@2.0.2', user: { id: '7' } } });
    const arrived = page.locator('.live-tail .event-row').first();
    await arrived.waitFor();
    assert.equal(await arrived.locator('.release').textContent(), 'shop@2.0.2');
    assert.equal(await arrived.locator('.user').textContent(), 'id:7');
    await page.locator('.issue-header .snooze', { hasText: 'until 9 more events' }).waitFor();

    // The project's name links to its page.
    await page.locator('.project-name a').click();
    await page.waitForURL(`${server.url}/projects/${issue.project_id}`);
    assert.deepEqual(problems, []);
  } finally {
    await server.stop();
    server.removeData();
  }
});
