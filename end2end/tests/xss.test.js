// Event text is data, never markup: payloads in every field an SDK fills are shown as text, and
// no script of theirs runs (the strict Content-Security-Policy would stop inline ones anyway).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, setupOwner, signedInContext, startServer } from './support.js';

const PAYLOAD = `<img src=x onerror="window.xssRan=1"><script>window.xssRan=1</script>`;

let browser;
let server;

before(async () => {
  browser = await launchBrowser();
  server = await startServer();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  server?.removeData();
});

function hostileEvent(eventId) {
  return {
    event_id: eventId,
    platform: 'javascript',
    message: `message ${PAYLOAD}`,
    exception: {
      values: [
        {
          type: `TypeError${PAYLOAD}`,
          value: `value ${PAYLOAD}`,
          stacktrace: {
            frames: [
              {
                filename: `file${PAYLOAD}.js`,
                function: `fn${PAYLOAD}`,
                context_line: `line ${PAYLOAD}`,
                pre_context: [PAYLOAD],
                in_app: true,
              },
            ],
          },
        },
      ],
    },
    breadcrumbs: [{ message: `crumb ${PAYLOAD}`, category: PAYLOAD }],
    tags: { [`tag${PAYLOAD}`]: `value${PAYLOAD}` },
    user: { id: PAYLOAD, email: `${PAYLOAD}@example.com`, username: PAYLOAD },
    request: { url: `https://shop.example.com/${PAYLOAD}`, method: 'GET' },
    transaction: `javascript:window.xssRan=1`,
  };
}

test('hostile event text is shown as text and runs nothing', async () => {
  const cookie = await setupOwner(server);
  const id = crypto.randomUUID().replaceAll('-', '');
  const body = `${JSON.stringify({ event_id: id })}\n{"type":"event"}\n${JSON.stringify(hostileEvent(id))}`;
  // As old SDKs do, this one sends the DSN's secret part too; it must not reach the logs.
  const sent = await fetch(`${server.url}/api/${server.projectId}/envelope/`, {
    method: 'POST',
    headers: { 'x-sentry-auth': `Sentry sentry_key=${server.key}, sentry_version=7, sentry_secret=canary-dsn-secret-9d2e` },
    body,
  });
  assert.equal(sent.status, 200);

  const page = await (await signedInContext(browser, server, cookie)).newPage();
  const dialogs = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    dialog.dismiss();
  });
  await page.goto(server.url);
  await page.locator('.live-badge[data-state="live"]').waitFor({ timeout: 15_000 });
  const row = page.locator('.issue-row').first();
  assert.equal(await row.locator('.title').textContent(), `TypeError${PAYLOAD}: value ${PAYLOAD}`);
  assert.equal(await row.locator('.culprit').textContent(), 'javascript:window.xssRan=1');
  assert.equal(await page.locator('.issue-row img').count(), 0, 'no element came from the payload');
  assert.equal(await page.evaluate(() => window.xssRan), undefined, 'no payload script ran');
  assert.deepEqual(dialogs, []);
});
