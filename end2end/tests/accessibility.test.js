// Dark mode and accessibility: the theme follows the system until the user picks one in the top
// bar, the pick is a cookie the server renders from (no flash, no inline script), and axe-core
// finds nothing on the list, an issue, a project, the settings and the sign-in page in either
// theme: no text below its contrast ratio, headings in order, no empty header, one main landmark.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { getJson, hydrated, screenshots, sendError, sendEvent, setupOwner, signedInContext, startServer, useBrowser, watchedPage } from './support.js';

let browser;
useBrowser((opened) => {
  browser = opened;
});

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/// axe-core's violations on the page as it is now, each as "rule: element (summary)". The
/// script is evaluated through the DevTools protocol, which the page's CSP does not govern.
async function violations(page) {
  await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.flatMap((v) => v.nodes.map((node) => `${v.id}: ${node.target.join(' ')} (${node.failureSummary.split('\n').slice(1).join(' ').trim()})`));
  });
  return found;
}

/// An event of `level` with its own error type, so each makes an issue.
function leveled(level) {
  return {
    event_id: crypto.randomUUID().replaceAll('-', ''),
    timestamp: Date.now() / 1000,
    platform: 'python',
    level,
    environment: 'production',
    release: 'shop@1.4.2',
    user: { id: '42', email: 'ada@example.com' },
    tags: { region: 'eu' },
    breadcrumbs: { values: [{ timestamp: Date.now() / 1000 - 1, category: 'http', level: 'warning', message: 'GET /cart 502' }] },
    exception: {
      values: [
        {
          type: `${level[0].toUpperCase()}${level.slice(1)}Error`,
          value: `something ${level} happened`,
          stacktrace: {
            frames: [
              { module: 'django.core.handlers', function: 'inner', filename: 'django/core/handlers/exception.py', lineno: 55, in_app: false },
              {
                module: 'shop.views',
                function: 'checkout',
                filename: 'shop/views.py',
                lineno: 12,
                in_app: true,
                pre_context: ['def checkout(request):'],
                context_line: '    raise PaymentError()',
                post_context: [''],
                vars: { request: '<WSGIRequest>' },
              },
            ],
          },
          mechanism: { type: 'django', handled: false },
        },
      ],
    },
  };
}

async function patch(server, cookie, path, body) {
  const response = await fetch(`${server.url}${path}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', origin: server.url, cookie },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 200, `PATCH ${path}: ${await response.text()}`);
}

/// A list with every level, status and badge on it: resolved, ignored, regressed, assigned.
async function seed(server, cookie) {
  for (const level of ['fatal', 'error', 'warning', 'info', 'debug']) await sendEvent(server, leveled(level));
  await sendError(server, { type: 'RegressedError', value: 'came back' });
  const issues = await getJson(server, cookie, '/api/0/issues/');
  const byTitle = (start) => issues.find((issue) => issue.title.startsWith(start)).id;
  const me = await getJson(server, cookie, '/api/0/auth/me');
  await patch(server, cookie, `/api/0/issues/${byTitle('RegressedError')}/`, { action: 'resolve' });
  await sendError(server, { type: 'RegressedError', value: 'came back' });
  await patch(server, cookie, `/api/0/issues/${byTitle('InfoError')}/`, { action: 'ignore', until: { more_events: 10 } });
  await patch(server, cookie, `/api/0/issues/${byTitle('ErrorError')}/`, { action: 'assign', user_id: me.id });
  await patch(server, cookie, `/api/0/issues/${byTitle('DebugError')}/`, { action: 'resolve' });
  return byTitle('ErrorError');
}

/// The background the page's body is painted with, as `rgb(…)`.
function bodyBackground(page) {
  return page.evaluate(() => getComputedStyle(document.body).backgroundColor);
}

/// Whether an `rgb(r, g, b)` colour is dark (luminance below one half).
function isDark(rgb) {
  const [r, g, b] = rgb.match(/\d+/g).map(Number);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b < 128;
}

test('axe-core finds no violation on the main pages in the light and the dark theme', async () => {
  const server = await startServer();
  try {
    const cookie = await setupOwner(server);
    const issueId = await seed(server, cookie);
    const pages = {
      list: '/',
      all: '/?query=',
      issue: `/issues/${issueId}`,
      events: `/issues/${issueId}/events`,
      project: `/projects/${server.projectId}`,
      settings: '/settings',
      users: '/users',
    };
    const found = [];
    for (const colorScheme of ['light', 'dark']) {
      const context = await signedInContext(browser, server, cookie);
      const { page, problems } = await watchedPage(context);
      await page.emulateMedia({ colorScheme });
      await page.setViewportSize({ width: 1400, height: 900 });
      for (const [name, path] of Object.entries(pages)) {
        await page.goto(`${server.url}${path}`);
        await hydrated(page);
        await page.locator('main h1').first().waitFor();
        // The issue page's details open their lazy parts too: tags, the frame's source.
        if (name === 'issue') await page.locator('.frame.in-app .frame-details').first().waitFor();
        assert.equal(isDark(await bodyBackground(page)), colorScheme === 'dark', `${name} follows the ${colorScheme} system theme`);
        for (const violation of await violations(page)) found.push(`${colorScheme} ${name}: ${violation}`);
        await page.screenshot({ path: join(screenshots, `theme-${colorScheme}-${name}.png`), fullPage: true });
      }
      await context.close();

      // Signed out: the sign-in page.
      const signedOut = await browser.newContext({ colorScheme });
      const login = await signedOut.newPage();
      await login.goto(`${server.url}/login`);
      await hydrated(login);
      await login.locator('main h1').waitFor();
      for (const violation of await violations(login)) found.push(`${colorScheme} sign-in: ${violation}`);
      await signedOut.close();
      assert.deepEqual(problems, [], 'no page logged an error');
    }
    assert.deepEqual(found, [], 'axe-core found no violation');
  } finally {
    await server.stop();
    server.removeData();
  }
});

test('the theme picked in the top bar is remembered and rendered by the server from the first byte', async () => {
  const server = await startServer();
  try {
    const cookie = await setupOwner(server);
    const context = await signedInContext(browser, server, cookie);
    const { page, problems } = await watchedPage(context);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`${server.url}/`);
    await hydrated(page);
    const toggle = page.locator('.theme-toggle');
    await assert.doesNotReject(toggle.waitFor());
    assert.equal(await toggle.textContent(), 'Theme: system');
    assert.equal(isDark(await bodyBackground(page)), false, 'a light system gives the light theme');

    // System → light → dark: the page changes at once, without a reload.
    await toggle.click();
    await page.locator('html[data-theme="light"]').waitFor();
    await toggle.click();
    await page.locator('html[data-theme="dark"]').waitFor();
    assert.equal(await toggle.textContent(), 'Theme: dark');
    assert.equal(isDark(await bodyBackground(page)), true, 'dark on a light system once picked');
    const theme = (await context.cookies()).find((c) => c.name === 'faultline_theme');
    assert.equal(theme?.value, 'dark');
    assert.equal(theme.sameSite, 'Lax');
    assert.ok(theme.expires > Date.now() / 1000 + 300 * 86400, 'remembered for a year');

    // The server renders the pick: the document's first bytes carry it, for every page.
    for (const path of ['/', '/login']) {
      const html = await (await fetch(`${server.url}${path}`, { headers: { cookie: `${cookie}; faultline_theme=dark` } })).text();
      assert.match(html.slice(0, 200), /<html lang="en" data-theme="dark">/, `${path} is rendered dark`);
    }
    const plain = await (await fetch(`${server.url}/login`)).text();
    assert.match(plain.slice(0, 200), /<html lang="en">/, 'no pick, no theme attribute: the system decides');
    const forged = await (await fetch(`${server.url}/login`, { headers: { cookie: 'faultline_theme="><script>' } })).text();
    assert.match(forged.slice(0, 200), /<html lang="en">/, 'an unknown value is ignored');

    // A reload keeps it; back to the system's choice removes the attribute.
    await page.reload();
    await hydrated(page);
    assert.equal(isDark(await bodyBackground(page)), true);
    await toggle.click();
    await page.locator('html:not([data-theme])').waitFor();
    assert.equal(await toggle.textContent(), 'Theme: system');
    await page.emulateMedia({ colorScheme: 'dark' });
    assert.equal(isDark(await bodyBackground(page)), true, 'system again: follows the dark system');
    assert.equal((await context.cookies()).find((c) => c.name === 'faultline_theme'), undefined, 'the cookie is gone');
    assert.deepEqual(problems, []);
  } finally {
    await server.stop();
    server.removeData();
  }
});
