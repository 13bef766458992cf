// The dashboard at 1400 px and on a 390 px phone: a dense issue list (one-line titles, project
// names, age and last seen, a live total) and, on the phone, cards, a folded nav and no page
// wider than the screen. Screenshots of the list, an issue and a project at both widths.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  getJson,
  hydrated,
  screenshots,
  sendError,
  setupOwner,
  signedInContext,
  startServer,
  useBrowser,
  watchedPage,
} from './support.js';

let browser;
useBrowser((opened) => {
  browser = opened;
});

const LONG_TITLE =
  'PaymentGatewayTimeoutError: the payment gateway did not answer within 30 seconds while authorizing order 4711 for customer 0815 in the EU region';

/// A second project, and its DSN key for sending to it.
async function secondProject(server, cookie, name) {
  const created = await fetch(`${server.url}/api/0/projects/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.url, cookie },
    body: JSON.stringify({ name }),
  });
  assert.equal(created.status, 200);
  const project = await created.json();
  const [key] = await getJson(server, cookie, `/api/0/projects/${project.id}/keys/`);
  return { ...server, projectId: String(project.id), key: key.public_key };
}

/// Rows of the list whose whole height is on the screen without scrolling.
function fullyVisibleRows(page) {
  return page.evaluate(
    () => [...document.querySelectorAll('.issue-row')].filter((row) => row.getBoundingClientRect().bottom <= innerHeight).length,
  );
}

/// Elements sticking out past the right edge of the screen, to name in a failure.
function overflowing(page) {
  return page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth,
    culprits: [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > innerWidth + 0.5)
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`),
  }));
}

test('the list is dense on a wide screen and every page fits a phone', async () => {
  const server = await startServer();
  try {
    const cookie = await setupOwner(server);
    const web = await secondProject(server, cookie, 'Web shop');
    await sendError(server, { type: 'PaymentGatewayTimeoutError', value: LONG_TITLE.split(': ')[1] });
    for (let n = 0; n < 18; n++) await sendError(n % 2 ? web : server, { type: `Kind${n}Error`, value: `failure number ${n}` });
    await sendError(server, {
      type: 'LayoutError',
      value: 'a deep one',
      extra: { environment: 'production-eu-west-with-a-very-long-environment-name-that-does-not-wrap-by-itself' },
    });

    // 1400 × 900: one line per title, the project named, 15 or more rows on the screen.
    const context = await signedInContext(browser, server, cookie);
    const { page, problems } = await watchedPage(context);
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(`${server.url}/`);
    await hydrated(page);
    await page.locator('.total', { hasText: '20 issues' }).waitFor();
    await page.screenshot({ path: join(screenshots, 'layout-list-1400.png') });
    const visible = await fullyVisibleRows(page);
    console.log(`issues fully visible on a 1400×900 list: ${visible}`);
    assert.ok(visible >= 15, `${visible} issues are fully visible on a 1400×900 screen`);
    const long = page.locator('.issue-row', { hasText: 'PaymentGatewayTimeoutError' });
    const title = long.locator('a.title');
    assert.equal(await title.getAttribute('title'), LONG_TITLE, 'the full title on hover');
    const lineHeight = await title.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight));
    assert.ok((await title.boundingBox()).height < lineHeight * 1.5, 'the long title is cut to one line');
    assert.equal(await long.locator('.project').textContent(), 'Default', 'in All projects a row names its project');
    assert.equal(await page.locator('.issue-row', { hasText: 'Kind1Error' }).locator('.project').textContent(), 'Web shop');
    assert.match(await long.locator('.age').getAttribute('title'), /^First seen \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    assert.match(await long.locator('.last-seen').textContent(), /^(just now|\d+s ago)$/);
    assert.equal(await page.locator('th.status-col').count(), 0, 'inside the Unresolved tab no Status column');

    // The total follows what arrives, live.
    await sendError(web, { type: 'LateError', value: 'arrived while the list was open' });
    await page.locator('.total', { hasText: '21 issues' }).waitFor({ timeout: 5_000 });

    await page.locator('nav.tabs a', { hasText: 'All' }).click();
    await page.locator('th.status-col').waitFor();
    await page.goto(`${server.url}/?project=${web.projectId}`);
    await page.locator('.total', { hasText: '10 issues' }).waitFor();
    assert.equal(await page.locator('.issue-row .project').count(), 0, 'one project: no project names');

    const [issue] = await getJson(server, cookie, `/api/0/issues/?query=${encodeURIComponent('LayoutError')}`);
    await page.goto(`${server.url}/issues/${issue.id}`);
    await hydrated(page);
    await page.screenshot({ path: join(screenshots, 'layout-issue-1400.png') });
    await page.goto(`${server.url}/projects/${server.projectId}`);
    await hydrated(page);
    await page.screenshot({ path: join(screenshots, 'layout-project-1400.png') });

    // 390 px: nothing wider than the screen on any page.
    await page.setViewportSize({ width: 390, height: 844 });
    const pages = {
      list: '/',
      issue: `/issues/${issue.id}`,
      events: `/issues/${issue.id}/events`,
      project: `/projects/${server.projectId}`,
      projects: '/projects',
      settings: '/settings',
      users: '/users',
    };
    for (const [name, path] of Object.entries(pages)) {
      await page.goto(`${server.url}${path}`);
      await hydrated(page);
      const fit = await overflowing(page);
      assert.ok(fit.scrollWidth <= fit.innerWidth, `${name} at 390 px is ${fit.scrollWidth} px wide: ${fit.culprits}`);
      if (['list', 'issue', 'project'].includes(name)) await page.screenshot({ path: join(screenshots, `layout-${name}-390.png`), fullPage: true });
    }

    // The list as cards: no table header, each card within the screen, titles on two lines at most.
    await page.goto(`${server.url}/`);
    await hydrated(page);
    assert.equal(await page.locator('table.issues thead').isVisible(), false);
    const card = await long.boundingBox();
    assert.ok(card.x >= 0 && card.x + card.width <= 390, `the card spans ${card.x}…${card.x + card.width}`);
    const lines = (await title.boundingBox()).height / lineHeight;
    assert.ok(lines > 1.5 && lines < 2.5, `the long title takes two lines on a card, not ${lines}`);
    assert.ok(await long.locator('.count').isVisible(), 'the card shows the event count');
    assert.ok(await long.locator('.last-seen').isVisible(), 'and when it was last seen');

    // The nav folds into a menu that closes once a link is chosen.
    const projectsLink = page.locator('.nav-links a', { hasText: 'Projects' });
    assert.equal(await projectsLink.isVisible(), false, 'the links are folded away');
    await page.locator('button.menu-toggle').click();
    assert.equal(await page.locator('button.menu-toggle').getAttribute('aria-expanded'), 'true');
    await projectsLink.click();
    await page.waitForURL(`${server.url}/projects`);
    await page.locator('.nav-menu:not(.open)').waitFor({ state: 'attached' });
    assert.equal(await projectsLink.isVisible(), false, 'the menu closed after the choice');
    assert.deepEqual(problems, [], 'no errors in the browser console');

    // Signed out: the sign-in page fits too.
    const anonymous = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    await anonymous.goto(`${server.url}/login`);
    await hydrated(anonymous);
    const fit = await overflowing(anonymous);
    assert.ok(fit.scrollWidth <= fit.innerWidth, `the sign-in page at 390 px is ${fit.scrollWidth} px wide: ${fit.culprits}`);
  } finally {
    await server.stop();
    server.removeData();
  }
});
