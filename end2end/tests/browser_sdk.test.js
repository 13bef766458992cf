// The official @sentry/browser SDK in Chromium, on a page served from another origin than
// Faultline: handled, message, chained, uncaught and unhandled-rejection errors arrive as issues
// across CORS, and sessions and spans create none.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as esbuild from 'esbuild';
import { apiToken, freePort, launchBrowser, repoRoot, setupOwner, startServer } from './support.js';

let browser;
let faultline;
let page;
let pageServer;
let token;

/// A tiny web server on its own port: the shop page and the bundled SDK.
async function servePage() {
  const bundle = await esbuild.build({
    entryPoints: [join(repoRoot, 'end2end/sdk/browser_client.js')],
    bundle: true,
    write: false,
    format: 'iife',
  });
  const script = bundle.outputFiles[0].text;
  const port = await freePort();
  const server = createServer((request, response) => {
    if (request.url.startsWith('/client.js')) {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Shop</title><script src="/client.js"></script>');
    }
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${port}` };
}

/// GET from Faultline's API with the owner's token.
async function api(path) {
  const response = await fetch(`${faultline.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return response.json();
}

before(async () => {
  faultline = await startServer();
  token = await apiToken(faultline, await setupOwner(faultline));
  pageServer = await servePage();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  pageServer?.server.close();
  await faultline?.stop();
  faultline?.removeData();
});

test('errors from the browser SDK on another origin become the expected issues', async () => {
  page = await browser.newPage();
  const corsProblems = [];
  page.on('console', (message) => /CORS|Access-Control/.test(message.text()) && corsProblems.push(message.text()));
  assert.notEqual(new URL(pageServer.origin).port, new URL(faultline.url).port, 'two origins');
  await page.goto(`${pageServer.origin}/?dsn=${encodeURIComponent(faultline.dsn)}`);
  await page.waitForFunction(() => window.scenarios !== undefined);

  await page.evaluate(() => {
    window.scenarios.handled(3);
    window.scenarios.handled(7);
    window.scenarios.message(4711);
    window.scenarios.message(815);
    window.scenarios.chained();
    window.scenarios.span();
    window.scenarios.uncaught();
  });
  // The SDK ignores global errors for one tick after its setTimeout wrapper caught one
  // (`ignoreOnError`), so the rejection comes in a later turn.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await page.evaluate(() => window.scenarios.rejection());
  await page.evaluate(() => window.scenarios.flush());

  let found = [];
  for (let attempt = 0; attempt < 50; attempt += 1) {
    found = await api(`/api/0/projects/${faultline.projectId}/issues/`);
    if (found.reduce((sum, issue) => sum + issue.event_count, 0) >= 7) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const table = found.map((issue) => [issue.title, issue.level, issue.event_count]).sort();
  assert.deepEqual(table, [
    ['Checkout took too long for order 815', 'warning', 2],
    ['Error: order A-17 cannot be loaded', 'error', 1],
    ['Error: unhandled rejection 99', 'error', 1],
    ['RangeError: Cannot divide 7 by zero', 'error', 2],
    ['TypeError: unhandled failure in the page', 'error', 1],
  ]);
  assert.deepEqual(corsProblems, [], 'the SDK could read every answer across origins');

  const outcomes = await api('/api/0/outcomes/');
  const mine = outcomes.find((entry) => String(entry.project_id) === faultline.projectId);
  assert.deepEqual(mine.rejected, {}, 'nothing was refused');
  assert.ok(mine.accepted > 7, `sessions and spans arrived too and made no issue (${mine.accepted} accepted)`);
});
