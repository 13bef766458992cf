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
