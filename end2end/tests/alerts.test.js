// Alerts in a real browser: an admin adds a Slack channel and a rule on the project page, sends
// a test and sees its delivery appear without reload, and opts in to the project's alert emails;
// a new issue then notifies the channel (a real HTTP receiver on loopback), live on the project
// page and on the issue's page; the admin changes the rule (its form previews it over the last 7
// days) and the channel, turns the rule off and deletes the channel; they choose their personal
// emails on their account page.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  getJson,
  hydrated,
  notReloaded,
  openLive,
  rememberSecret,
  screenshots,
  sendError,
  signedInContext,
  setupOwner,
  startServer,
  useBrowser,
} from './support.js';

let browser;
useBrowser((opened) => {
  browser = opened;
});

/// An HTTP receiver on a loopback port that records every request body, as Slack would get it.
async function startReceiver() {
  const received = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push({ path: request.url, body: JSON.parse(body) });
      response.end('ok');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, received, close: () => server.close() };
}

test('an admin sets up a Slack channel and a rule, sends a test, a new issue shows it notified, then previews and changes the rule, changes the channel, turns the rule off, deletes the channel and chooses personal emails', async () => {
  const receiver = await startReceiver();
  const server = await startServer({ args: ['--alerts-allow-private-networks'] });
  try {
    const cookie = await setupOwner(server);
    const { page, problems } = await openLive(browser, server, cookie, `/projects/${server.projectId}`);

    const channelForm = page.locator('form.new-channel');
    await channelForm.locator('input[name="channel-name"]').fill('#payments');
    await channelForm.locator('select[name="channel-kind"]').selectOption('slack');
    // The webhook URL is a secret: the log check after the suite proves it never reached a log.
    const hook = `${receiver.url}/slack/T0/B0/Canary-hook-${crypto.randomUUID()}`;
    rememberSecret(hook);
    await channelForm.locator('input[name="channel-url"]').fill(hook);
    await channelForm.locator('button[type="submit"]').click();
    const channel = page.locator('.channel', { hasText: '#payments' });
    await channel.waitFor({ timeout: 5_000 });
    assert.match(await channel.textContent(), /http:\/\/127\.0\.0\.1:\d+\/…/, 'the URL is shown masked');
    assert.ok(!(await channel.textContent()).includes('Canary-hook'));

    await channel.locator('button.send-test').click();
    await channel.locator('.delivery-row[data-trigger="test"][data-state="sent"]').waitFor({ timeout: 5_000 });
    await channel.locator('.status-line.done', { hasText: 'Sent: the receiver answered 200' }).waitFor({ timeout: 2_000 });
    assert.equal(receiver.received.length, 1);
    assert.match(receiver.received[0].body.blocks[0].text.text, /^Test alert/);

    // Anyone who sees the project opts in to its alert emails for themselves.
    const subscription = page.locator('input[name="alert-subscription"]');
    await subscription.check();
    await page.locator('.status-line.done', { hasText: "You get this project's alerts by email" }).waitFor({ timeout: 5_000 });
    const mine = await getJson(server, cookie, `/api/0/projects/${server.projectId}/alert-subscription/`);
    assert.deepEqual(mine, { subscribed: true });

    const ruleForm = page.locator('form.new-rule');
    await ruleForm.locator('input[name="rule-name"]').fill('New production errors');
    await ruleForm.locator('input[name="rule-filter"]').fill('environment:production');
    await ruleForm.locator('.rule-channels label', { hasText: '#payments' }).locator('input').check();
    await ruleForm.locator('button[type="submit"]').click();
    const rule = page.locator('.rule', { hasText: 'New production errors' });
    await rule.waitFor({ timeout: 5_000 });
    assert.match(await rule.textContent(), /New issue, Regression/);
    assert.match(await rule.textContent(), /#payments · at most once every 30 minutes per issue/);

    await sendError(server, { type: 'CheckoutError', value: 'card declined', extra: { environment: 'production' } });
    await channel.locator('.delivery-row[data-trigger="new_issue"][data-state="sent"]').waitFor({ timeout: 5_000 });
    assert.equal(receiver.received.length, 2);
    assert.match(receiver.received[1].body.blocks[0].text.text, /^New issue: CheckoutError: card declined/);
    await page.screenshot({ path: join(screenshots, 'project-alerts.png'), fullPage: true });

    const [issue] = await getJson(server, cookie, '/api/0/issues/');
    const issuePage = await openLive(browser, server, cookie, `/issues/${issue.id}`);
    const notified = issuePage.page.locator('.issue-alerts .delivery-row[data-state="sent"]');
    await notified.waitFor({ timeout: 5_000 });
    assert.match(await notified.textContent(), /#payments notified/);
    assert.match(await notified.textContent(), /New production errors/);

    // Changing the rule: the form comes filled in, and previews the rule over the last 7 days.
    await rule.locator('button.edit').click();
    const editForm = rule.locator('form.edit-rule');
    assert.equal(await editForm.locator('input[name="rule-name"]').inputValue(), 'New production errors');
    const preview = editForm.locator('.rule-preview');
    await preview.locator('.preview-count', { hasText: 'Would have fired 1 time in the last 7 days, for 1 issue.' }).waitFor({ timeout: 5_000 });
    assert.match(await preview.locator('.preview-issues a').textContent(), /^CheckoutError: card declined/);
    await editForm.locator('input[name="rule-filter"]').fill('environment:staging');
    await preview.locator('.preview-count', { hasText: 'Would not have fired in the last 7 days.' }).waitFor({ timeout: 5_000 });
    await editForm.locator('input[name="rule-interval"]').fill('60');
    await editForm.locator('button[type="submit"]').click();
    await page.locator('.rule', { hasText: 'at most once every 1 hour per issue' }).waitFor({ timeout: 5_000 });
    const [changed] = await getJson(server, cookie, `/api/0/projects/${server.projectId}/alert-rules/`);
    assert.equal(changed.filter, 'environment:staging');
    assert.equal(changed.interval_minutes, 60);

    // Changing the channel: a new name and cap; the masked URL stays as it was.
    await channel.locator('button.edit').click();
    const channelEdit = channel.locator('form.edit-channel');
    await channelEdit.locator('input[name="channel-name"]').fill('#payments-oncall');
    await channelEdit.locator('input[name="channel-cap"]').fill('10');
    await channelEdit.locator('button[type="submit"]').click();
    await page.locator('.channel', { hasText: 'at most 10 an hour' }).waitFor({ timeout: 5_000 });
    const [renamed] = await getJson(server, cookie, `/api/0/projects/${server.projectId}/alert-channels/`);
    assert.equal(renamed.name, '#payments-oncall');
    await channel.locator('button.send-test').click();
    await channel.locator('.status-line.done', { hasText: 'Sent: the receiver answered 200' }).waitFor({ timeout: 5_000 });
    assert.equal(receiver.received.length, 3, 'the test went to the webhook URL it kept');

    await rule.locator('button.toggle', { hasText: 'Turn off' }).click();
    await page.locator('.rule[data-enabled="false"]', { hasText: 'New production errors' }).waitFor({ timeout: 5_000 });
    const [offRule] = await getJson(server, cookie, `/api/0/projects/${server.projectId}/alert-rules/`);
    assert.equal(offRule.enabled, false);
    const remove = channel.locator('button.delete');
    await remove.click();
    assert.equal(await remove.textContent(), 'Delete this channel and its delivery log?', 'asks before deleting');
    await remove.click();
    await page.locator('.channel', { hasText: '#payments' }).waitFor({ state: 'detached', timeout: 5_000 });
    assert.deepEqual(await getJson(server, cookie, `/api/0/projects/${server.projectId}/alert-channels/`), []);

    // Personal emails are each user's own choice, on their settings page.
    const accountPage = await (await signedInContext(browser, server, cookie)).newPage();
    const accountProblems = [];
    accountPage.on('pageerror', (error) => accountProblems.push(error.message));
    await accountPage.goto(`${server.url}/settings`);
    await hydrated(accountPage);
    await accountPage.locator('input[name="notify-assigned"]:not([disabled])').check();
    await accountPage.locator('.notifications .status-line.done', { hasText: 'Saved.' }).waitFor({ timeout: 5_000 });
    assert.deepEqual(accountProblems, [], 'no errors on the account page');
    assert.deepEqual(await getJson(server, cookie, '/api/0/auth/notifications'), { assigned: true, comments: false });

    for (const opened of [{ page, problems }, issuePage]) {
      assert.ok(await notReloaded(opened.page), 'no reload');
      assert.deepEqual(opened.problems, [], 'no errors in the browser console');
    }
  } finally {
    await server.stop();
    server.removeData();
    receiver.close();
  }
});
