// Triage in a real browser: two teammates on the same issue, the issue page in full, and the
// list's keyboard and bulk actions.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  getJson,
  inviteTeammate,
  notReloaded,
  openLive,
  screenshots,
  sendError,
  sendEvent,
  setupOwner,
  startServer,
  useBrowser,
} from './support.js';

let browser;
useBrowser((opened) => {
  browser = opened;
});

/// Waits for `locator` and reports how long after `since` it appeared.
async function seenAfter(locator, since, what) {
  await locator.waitFor({ timeout: 2_000 });
  const elapsed = Date.now() - since;
  console.log(`${what}: ${elapsed} ms`);
  return elapsed;
}

async function onlyIssueId(server, cookie) {
  const issues = await getJson(server, cookie, '/api/0/issues/');
  assert.equal(issues.length, 1);
  return issues[0].id;
}

test('one teammate resolves and comments, the other sees both without reload, and a new event regresses it for both', async () => {
  const server = await startServer();
  try {
    const ownerCookie = await setupOwner(server);
    const memberCookie = await inviteTeammate(server, ownerCookie, 'dev@example.com', 'member');
    const error = { type: 'PaymentError', value: 'card declined' };
    await sendError(server, { ...error, extra: { release: 'shop@1.0' } });
    const id = await onlyIssueId(server, ownerCookie);

    const owner = await openLive(browser, server, ownerCookie, `/issues/${id}`);
    const teammateDetail = await openLive(browser, server, memberCookie, `/issues/${id}`);
    const teammateList = await openLive(browser, server, memberCookie, '/');
    const row = teammateList.page.locator('.issue-row', { hasText: 'PaymentError: card declined' });
    await row.waitFor();

    // The assignee picker is filled with the page; `a` assigns the issue to oneself and back.
    const assigneeOption = teammateDetail.page.locator('select.assignee option', { hasText: 'owner@example.com' });
    await assigneeOption.waitFor({ state: 'attached', timeout: 2_000 });
    const picked = (page) => page.locator('select.assignee').evaluate((select) => select.selectedOptions[0]?.textContent);
    await owner.page.keyboard.press('a');
    await row.locator('.assignee', { hasText: 'owner@example.com' }).waitFor({ timeout: 2_000 });
    assert.equal(await picked(owner.page), 'owner@example.com');
    await owner.page.keyboard.press('a');
    await row.locator('.assignee', { hasText: /^$/ }).waitFor({ timeout: 2_000 });
    assert.equal(await picked(owner.page), 'Unassigned');

    const resolvedAt = Date.now();
    await owner.page.locator('.issue-actions button.resolve').click();
    await owner.page.locator('.issue-header .status[data-status="resolved"]').waitFor({ timeout: 2_000 });
    await seenAfter(
      teammateDetail.page.locator('.issue-header .status[data-status="resolved"]'),
      resolvedAt,
      "the teammate's issue page shows it resolved after",
    );
    await seenAfter(
      teammateDetail.page.locator('.activity-entry[data-kind="resolved"]', { hasText: 'owner@example.com' }),
      resolvedAt,
      "the teammate's activity log shows who resolved it after",
    );
    await seenAfter(
      teammateList.page.getByText('No unresolved issues'),
      resolvedAt,
      "the issue left the teammate's unresolved list after",
    );

    const comment = 'Refunds go through the <b>old</b> gateway until Monday';
    await owner.page.locator('.comment-form textarea').fill(comment);
    const commentedAt = Date.now();
    await owner.page.locator('.comment-form button[type="submit"]').click();
    const shown = teammateDetail.page.locator('.activity-entry[data-kind="commented"] .comment-text');
    await seenAfter(shown, commentedAt, "the teammate sees the comment after");
    assert.equal(await shown.textContent(), comment, 'the comment is shown as its plain text');
    assert.equal(await teammateDetail.page.locator('.activity-entry b').count(), 0, 'no markup from the comment');

    const sentAt = Date.now();
    await sendError(server, { ...error, extra: { release: 'shop@1.1' } });
    for (const page of [owner.page, teammateDetail.page]) {
      await seenAfter(page.locator('.issue-header .status[data-status="regressed"]'), sentAt, 'the issue page shows it regressed after');
      await page.locator('.activity-entry[data-kind="regressed"]', { hasText: 'shop@1.1' }).waitFor({ timeout: 2_000 });
      await page.locator('button.new-events', { hasText: '1 new event' }).waitFor({ timeout: 2_000 });
      await page.locator('.live-tail .event-row').waitFor({ timeout: 2_000 });
      assert.equal(await page.locator('.issue-facts .event-count').textContent(), '2');
    }
    await seenAfter(row.locator('.status[data-status="regressed"]'), sentAt, "the teammate's list shows it regressed after");
    // The facts, tags and histogram follow too, refreshed at most once a second.
    const lastSeen = teammateDetail.page.locator('.issue-facts dd', { hasText: 'shop@1.1' });
    await seenAfter(lastSeen, sentAt, "the teammate's issue page shows the new release as last seen after");
    const releases = teammateDetail.page.locator('.tag-key[data-key="release"] .tag-value');
    assert.deepEqual(await releases.locator('.percent').allTextContents(), ['50%', '50%']);

    await teammateDetail.page.screenshot({ path: join(screenshots, 'issue-detail.png'), fullPage: true });
    for (const { page, problems } of [owner, teammateDetail, teammateList]) {
      assert.ok(await notReloaded(page), 'no reload');
      assert.deepEqual(problems, [], 'no errors in the browser console');
    }
  } finally {
    await server.stop();
    server.removeData();
  }
});

/// A Python error with a cause, frames of the app and of the library, breadcrumbs, tags, a user,
/// a request and contexts, as the Python SDK would send it.
function richEvent(browserName, userId) {
  const frame = (module, func, lineno, inApp, extra = {}) => ({
    module,
    function: func,
    filename: `${module.replaceAll('.', '/')}.py`,
    abs_path: `/srv/${module.replaceAll('.', '/')}.py`,
    lineno,
    colno: 9,
    in_app: inApp,
    ...extra,
  });
  const now = Date.now() / 1000;
  return {
    event_id: crypto.randomUUID().replaceAll('-', ''),
    timestamp: now,
    platform: 'python',
    level: 'error',
    release: 'ledger@3.1',
    environment: 'production',
    tags: { 'browser.name': browserName },
    user: { id: userId, email: `${userId}@example.com` },
    request: { method: 'POST', url: 'https://shop.example/ledger', headers: { 'User-Agent': 'curl/8' } },
    contexts: { runtime: { name: 'CPython', version: '3.12.1' }, os: { name: 'Linux' } },
    breadcrumbs: {
      values: [
        { timestamp: now - 2.5, category: 'db.query', level: 'info', message: 'SELECT balance FROM accounts' },
        { timestamp: now - 0.5, category: 'http', level: 'warning', data: { status_code: 502 } },
      ],
    },
    exception: {
      values: [
        {
          type: 'ConnectionError',
          value: 'gateway closed the connection',
          mechanism: { type: 'chained', exception_id: 1, parent_id: 0 },
          stacktrace: { frames: [frame('urllib3.connectionpool', 'urlopen', 801, false)] },
        },
        {
          type: 'LedgerError',
          value: 'could not post entry',
          mechanism: { type: 'generic', handled: true, exception_id: 0 },
          stacktrace: {
            frames: [
              frame('gunicorn.workers.sync', 'handle_request', 178, false),
              frame('django.core.handlers.base', 'get_response', 197, false),
              frame('ledger.views', 'post_entry', 42, true, {
                pre_context: ['def post_entry(request):', '    entry = parse(request)'],
                context_line: '    raise LedgerError(entry)',
                post_context: ['', 'def parse(request):'],
                vars: { entry: "{'amount': 12}" },
              }),
            ],
          },
        },
      ],
    },
  };
}

test('the issue page shows the chain, frames, breadcrumbs, tags and the raw event, and moves between events', async () => {
  const server = await startServer();
  try {
    const cookie = await setupOwner(server);
    const sent = [];
    for (const [browserName, user] of [['Chrome', 'u1'], ['Firefox', 'u2'], ['Chrome', 'u3']]) {
      sent.push(await sendEvent(server, richEvent(browserName, user)));
    }
    const id = await onlyIssueId(server, cookie);
    const { page, problems } = await openLive(browser, server, cookie, `/issues/${id}`);

    assert.equal(await page.locator('.issue-title').textContent(), 'LedgerError: could not post entry');
    assert.equal(await page.locator('.issue-facts .event-count').textContent(), '3');
    assert.equal(await page.locator('.issue-facts .user-count').textContent(), '3');
    assert.equal(await page.locator('.event-header').getAttribute('data-event-id'), sent[2], 'the newest event by default');

    const exceptions = page.locator('.exceptions .exception .exception-type');
    assert.deepEqual(await exceptions.allTextContents(), ['LedgerError', 'ConnectionError'], 'newest exception first');
    await page.locator('.exceptions button.order').click();
    assert.deepEqual(await exceptions.allTextContents(), ['ConnectionError', 'LedgerError'], 'oldest first on the toggle');

    const inApp = page.locator('.frame.in-app');
    assert.equal(await inApp.locator('.function').textContent(), 'post_entry');
    assert.equal(await inApp.locator('.file').textContent(), 'ledger/views.py:42:9');
    await inApp.locator('.source li.current', { hasText: 'raise LedgerError(entry)' }).waitFor();
    await inApp.locator('.vars', { hasText: "{'amount': 12}" }).waitFor();
    const systemToggle = page.locator('.system-frames button', { hasText: 'Show 2 system frames' });
    assert.equal(await page.locator('.frame.system', { hasText: 'get_response' }).count(), 0, 'system frames start folded');
    await systemToggle.click();
    await page.locator('.frame.system', { hasText: 'get_response' }).waitFor();
    await page.locator('.exceptions .raw-toggle').check();
    await page.locator('.raw-stack', { hasText: 'LedgerError: could not post entry' }).waitFor();

    const crumbs = page.locator('.breadcrumbs .crumb');
    assert.equal(await crumbs.count(), 3, 'two breadcrumbs and the error itself');
    assert.match(await crumbs.nth(0).locator('.offset').textContent(), /^-2\.[456] s$/);
    await page.locator('.breadcrumbs .crumb-message', { hasText: 'SELECT balance FROM accounts' }).waitFor();

    const browsers = page.locator('.tag-distribution .tag-key[data-key="browser.name"] .tag-value');
    assert.deepEqual(await browsers.locator('.value').allTextContents(), ['Chrome', 'Firefox']);
    assert.deepEqual(await browsers.locator('.percent').allTextContents(), ['67%', '33%']);
    await page.locator('.contexts .context[data-context="runtime"]', { hasText: 'CPython' }).waitFor();
    await page.locator('.request .request-line', { hasText: 'POST https://shop.example/ledger' }).waitFor();
    await page.locator('.card.user', { hasText: 'u3@example.com' }).waitFor();
    const download = await page.locator('.raw-json a.download').getAttribute('href');
    const raw = await (await page.request.get(`${server.url}${download}`)).json();
    assert.equal(raw.event_id, sent[2], 'the raw JSON download is the event');

    await page.locator('.event-nav a.older').click();
    await page.locator(`.event-header[data-event-id="${sent[1]}"]`).waitFor();
    await page.locator('.event-nav a.oldest').click();
    await page.locator(`.event-header[data-event-id="${sent[0]}"]`).waitFor();
    assert.equal(await page.locator('.event-nav .older.disabled').count(), 1, 'nothing older than the oldest');
    await page.locator('.event-nav a.newest').click();
    await page.locator(`.event-header[data-event-id="${sent[2]}"]`).waitFor();

    await page.locator('nav.tabs a', { hasText: 'Events' }).click();
    await page.locator('.event-list .event-row').first().waitFor();
    assert.equal(await page.locator('.event-list .event-row').count(), 3);
    assert.ok(await notReloaded(page), 'no reload');
    assert.deepEqual(problems, [], 'no errors in the browser console');
  } finally {
    await server.stop();
    server.removeData();
  }
});

test('the list moves with j and k, resolves with r, and ignores a selection in bulk', async () => {
  const server = await startServer();
  try {
    const cookie = await setupOwner(server);
    for (const type of ['FirstError', 'SecondError', 'ThirdError']) {
      await sendError(server, { type, value: 'boom' });
    }
    const { page, problems } = await openLive(browser, server, cookie, '/');
    const rows = page.locator('.issue-row');
    await rows.nth(2).waitFor();
    const titles = await rows.locator('.title').allTextContents();
    assert.deepEqual(titles, ['ThirdError: boom', 'SecondError: boom', 'FirstError: boom'], 'newest first');

    await page.keyboard.press('?');
    await page.locator('[role="dialog"][aria-label="Keyboard shortcuts"]').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('[role="dialog"]').waitFor({ state: 'detached' });

    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.locator('.issue-row.focused', { hasText: 'SecondError' }).waitFor();
    await page.keyboard.press('r');
    await page.locator('.issue-row', { hasText: 'SecondError' }).waitFor({ state: 'detached', timeout: 2_000 });

    await page.keyboard.press('k');
    await page.locator('.issue-row.focused', { hasText: 'ThirdError' }).waitFor();
    await page.keyboard.press('a');
    await page.locator('.issue-row.focused .assignee', { hasText: 'owner@example.com' }).waitFor({ timeout: 2_000 });
    await page.keyboard.press('a');
    await page.locator('.issue-row.focused .assignee', { hasText: /^$/ }).waitFor({ timeout: 2_000 });
    await page.keyboard.press('x');
    await page.locator('.issue-row', { hasText: 'FirstError' }).locator('input[type="checkbox"]').check();
    await page.locator('.bulk-bar .bulk-count', { hasText: '2 selected.' }).waitFor();
    await page.screenshot({ path: join(screenshots, 'issue-list-triage.png'), fullPage: true });
    await page.locator('.bulk-bar select.ignore').selectOption({ label: 'forever' });
    await page.getByText('No unresolved issues').waitFor({ timeout: 2_000 });

    await page.locator('nav.tabs a', { hasText: 'Ignored' }).click();
    await rows.nth(1).waitFor();
    assert.deepEqual((await rows.locator('.title').allTextContents()).sort(), ['FirstError: boom', 'ThirdError: boom']);
    await page.locator('th.select input[type="checkbox"]').check();
    await page.locator('.bulk-bar button.select-all-matching', { hasText: 'Select every ignored issue' }).click();
    await page.locator('.bulk-bar .bulk-count', { hasText: 'Every ignored issue is selected.' }).waitFor();
    await page.locator('.bulk-bar button.unresolve').click();
    await page.getByText('No ignored issues').waitFor({ timeout: 2_000 });
    const statuses = await getJson(server, cookie, '/api/0/issues/');
    assert.deepEqual(
      Object.fromEntries(statuses.map((issue) => [issue.title, issue.status])),
      { 'FirstError: boom': 'unresolved', 'SecondError: boom': 'resolved', 'ThirdError: boom': 'unresolved' },
    );
    assert.deepEqual(problems, [], 'no errors in the browser console');
  } finally {
    await server.stop();
    server.removeData();
  }
});
