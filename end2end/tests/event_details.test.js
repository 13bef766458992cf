// The issue page true to the event: recursion folded, the log template and its parameters,
// extra data, packages and variables as values, why the event is in the issue; and a project's
// stack trace rules, set on its page, deciding the culprit of the next event.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { getJson, hydrated, openLive, screenshots, sendEvent, setupOwner, startServer, useBrowser } from './support.js';

let browser;
useBrowser((opened) => {
  browser = opened;
});

const frame = (module, func, lineno, inApp, extra = {}) => ({
  module,
  function: func,
  filename: `${module.replaceAll('.', '/')}.py`,
  lineno,
  in_app: inApp,
  ...extra,
});

function recursionEvent() {
  const now = Date.now() / 1000;
  return {
    event_id: crypto.randomUUID().replaceAll('-', ''),
    timestamp: now,
    platform: 'python',
    level: 'error',
    logger: 'shop.tree',
    logentry: { message: 'Walk of %s failed after %d steps', params: ['catalog', 121], formatted: 'Walk of catalog failed after 121 steps' },
    extra: { order: { id: 'A-17', lines: [{ sku: 'X', qty: 2 }] } },
    modules: { django: '5.1.2', requests: '2.32.3' },
    breadcrumbs: { values: [{ timestamp: now - 0.34, category: 'db', message: 'SELECT 1' }, { timestamp: now, category: 'log', message: 'giving up' }] },
    exception: {
      values: [
        {
          type: 'RecursionError',
          value: 'maximum recursion depth exceeded',
          stacktrace: {
            frames: [
              frame('shop.views', 'catalog', 10, true),
              ...Array.from({ length: 121 }, () =>
                frame('shop.tree', 'recurse', 58, true, { context_line: '    return recurse(node.parent)', vars: { node: { id: 7, path: ['a', 'b'] } } }),
              ),
            ],
          },
        },
      ],
    },
  };
}

test('recursion folds to one frame with its count, and the event shows its template, data, packages and grouping', async () => {
  const server = await startServer();
  try {
    const cookie = await setupOwner(server);
    await sendEvent(server, recursionEvent());
    const [issue] = await getJson(server, cookie, '/api/0/issues/');
    const { page, problems } = await openLive(browser, server, cookie, `/issues/${issue.id}`);

    const recurse = page.locator('.frame', { hasText: 'recurse' });
    assert.equal(await recurse.count(), 1, 'one frame for the 121 calls');
    assert.equal(await recurse.locator('.badge.repeated').textContent(), '×121');
    await recurse.locator('pre.value', { hasText: 'path: [a, b]' }).waitFor();

    await page.locator('.event-header .facts dd', { hasText: 'shop.tree' }).waitFor();
    await page.locator('.message .message-text', { hasText: 'Walk of catalog failed after 121 steps' }).waitFor();
    await page.locator('.log-template code', { hasText: 'Walk of %s failed after %d steps' }).waitFor();
    assert.equal(await page.locator('.log-template dd').nth(1).textContent(), '[catalog, 121]');
    await page.locator('.extra pre.value', { hasText: 'id: A-17' }).waitFor();
    await page.locator('.packages summary', { hasText: '2 packages' }).click();
    await page.locator('.packages td', { hasText: '5.1.2' }).waitFor();
    const offsets = await page.locator('.breadcrumbs .crumb .offset').allTextContents();
    assert.deepEqual(offsets.slice(0, 2), ['-340 ms', 'at the error']);

    await page.locator('.grouping summary').click();
    const app = page.locator('.grouping-variants tr[data-variant="app"]');
    await app.locator('.made-of', { hasText: 'recurse' }).waitFor();
    assert.equal(await app.getAttribute('class'), 'owned', "the app hash is this issue's");
    await page.screenshot({ path: join(screenshots, 'event-details.png'), fullPage: true });
    assert.deepEqual(problems, [], 'no errors in the browser console');
  } finally {
    await server.stop();
    server.removeData();
  }
});

function loggedError() {
  return {
    event_id: crypto.randomUUID().replaceAll('-', ''),
    timestamp: Date.now() / 1000,
    platform: 'python',
    level: 'error',
    exception: {
      values: [
        {
          type: 'PaymentError',
          value: 'card declined',
          stacktrace: { frames: [frame('shop.views', 'checkout', 10, true), frame('shop.util', 'log_failure', 20, true)] },
        },
      ],
    },
  };
}

test('stack trace rules saved on the project page decide the next culprit, and a bad rule is refused with its line', async () => {
  const server = await startServer();
  try {
    const cookie = await setupOwner(server);
    await sendEvent(server, loggedError());
    const { page, problems } = await openLive(browser, server, cookie, `/projects/${server.projectId}`);
    await hydrated(page);
    const card = page.locator('.card.stack-rules');
    const rules = card.locator('textarea[name="stack-rules"]');
    await rules.fill('stack.module:shop.* +app\nstack.funtion:log_* -app');
    await card.getByRole('button', { name: 'Save rules' }).click();
    await card.locator('.status-line.failed', { hasText: 'line 2' }).waitFor();

    await rules.fill('stack.function:log_* -app -group');
    await card.getByRole('button', { name: 'Save rules' }).click();
    await card.locator('.status-line.done').waitFor();
    await card.locator('.transition', { hasText: 'no issue splits' }).waitFor();
    await card.locator('summary', { hasText: 'Built-in rules' }).click();
    await card.locator('.builtin-rules', { hasText: 'node_modules' }).waitFor();

    await sendEvent(server, loggedError());
    const issues = await getJson(server, cookie, '/api/0/issues/');
    assert.equal(issues.length, 1, 'the new rules, which change both hashes, did not split the issue');
    const events = await getJson(server, cookie, `/api/0/issues/${issues[0].id}/events/`);
    const newest = await getJson(server, cookie, `/api/0/issues/${issues[0].id}/events/${events[0].event_id}/`);
    assert.equal(newest.event.exceptions[0].stacktrace.frames[1].in_app, false);
    await page.reload();
    await hydrated(page);
    assert.equal(await page.locator('textarea[name="stack-rules"]').inputValue(), 'stack.function:log_* -app -group');
    const unexpected = problems.filter((problem) => !problem.includes('status of 422'));
    assert.deepEqual(unexpected, [], 'no errors in the browser console but the refused rule');
  } finally {
    await server.stop();
    server.removeData();
  }
});
