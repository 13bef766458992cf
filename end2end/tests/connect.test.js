// "Connect your app" on a new instance: the empty list and a new project's page show the install
// command and init code for the chosen platform with the project's DSN, and wait for the first
// event. The code the page shows is run as it is, with the real Node and Python SDKs and curl,
// and its event turns "Waiting for your first event…" into a link without a reload.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { getJson, hydrated, notReloaded, openLive, repoRoot, sendError, setupOwner, startServer, useBrowser } from './support.js';

let browser;
useBrowser((opened) => {
  browser = opened;
});

const panel = (page) => page.locator('section.connect');
const code = (page) => panel(page).locator('pre.init code').innerText();

/// A new project with this platform, and its DSN.
async function newProject(server, cookie, name, platform) {
  const created = await fetch(`${server.url}/api/0/projects/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.url, cookie },
    body: JSON.stringify({ name, platform }),
  });
  assert.equal(created.status, 200, await created.clone().text());
  const project = await created.json();
  const [key] = await getJson(server, cookie, `/api/0/projects/${project.id}/keys/`);
  return { id: project.id, dsn: key.dsn };
}

test('a new instance shows how to connect an app, and the code it shows sends the first event', async () => {
  const server = await startServer();
  const scratch = mkdtempSync(join(tmpdir(), 'faultline-connect-'));
  try {
    const cookie = await setupOwner(server);

    // The empty list of a new instance: the guide for its one project, "Other" to begin with.
    const { page, problems } = await openLive(browser, server, cookie, '/');
    await panel(page).locator('h2', { hasText: 'Connect your app' }).waitFor();
    assert.equal(await page.locator('.empty h2').textContent(), 'No unresolved issues');
    assert.equal(await panel(page).locator('button.platform').count(), 14);
    assert.equal(await panel(page).locator('button.platform[aria-pressed="true"]').textContent(), 'Other');
    assert.match(await code(page), new RegExp(`export SENTRY_DSN="${server.dsn}"`));
    await panel(page).locator('p.first-event.waiting', { hasText: 'Waiting for your first event…' }).waitFor();

    // Each platform its own install command and code, with this project's DSN.
    const expected = {
      Go: ['go get github.com/getsentry/sentry-go', 'sentry.Init(sentry.ClientOptions{Dsn: "'],
      Django: ['pip install "sentry-sdk[django]"', '# settings.py'],
      Rust: ['cargo add sentry', 'sentry::init(('],
      '.NET': ['dotnet add package Sentry', 'SentrySdk.Init('],
      'Node.js / Express': ['npm install @sentry/node', 'require("@sentry/node")'],
    };
    for (const [name, [install, snippet]] of Object.entries(expected)) {
      await panel(page).getByRole('button', { name, exact: true }).click();
      await panel(page).locator('h3', { hasText: `Install the ${name} SDK` }).waitFor();
      assert.equal(await panel(page).locator('pre.install code').innerText(), install, name);
      const shown = await code(page);
      assert.ok(shown.includes(snippet) && shown.includes(server.dsn), `${name}: ${shown}`);
    }

    // The Node code as shown, run with the real @sentry/node: the issue appears on the open list.
    const nodeCode = join(repoRoot, 'end2end', `connect-${server.port}.cjs`);
    writeFileSync(nodeCode, `${await code(page)}\nSentry.captureException(new Error("Sent by the guide's Node code"));\nSentry.flush(5000);\n`);
    try {
      execFileSync('node', [nodeCode], { timeout: 20_000 });
    } finally {
      rmSync(nodeCode, { force: true });
    }
    await page.locator('.issue-row', { hasText: "Sent by the guide's Node code" }).waitFor({ timeout: 5_000 });
    assert.equal(await panel(page).count(), 0, 'a list with an issue no longer shows the guide');
    assert.ok(await notReloaded(page), 'without a reload');

    // A new Django project's page: its guide, run with the real Python SDK.
    const django = await newProject(server, cookie, 'Shop backend', 'python-django');
    await page.goto(`${server.url}/projects/${django.id}`);
    await hydrated(page);
    assert.equal(await panel(page).locator('button.platform[aria-pressed="true"]').textContent(), 'Django');
    assert.match(await code(page), new RegExp(`sentry_sdk\\.init\\(dsn="${django.dsn}"\\)`));
    await page.locator('.live-badge[data-state="live"]').first().waitFor({ timeout: 15_000 });
    const python = process.env.FAULTLINE_TEST_PYTHON;
    assert.ok(python, 'FAULTLINE_TEST_PYTHON names the Python with sentry-sdk; `cargo xtask test` sets it');
    const pythonCode = join(scratch, 'settings.py');
    writeFileSync(pythonCode, `${await code(page)}\nsentry_sdk.capture_message("Sent by the guide's Python code")\n`);
    execFileSync(python, [pythonCode], { timeout: 20_000 });
    const link = panel(page).locator('p.first-event.arrived a', { hasText: "Sent by the guide's Python code" });
    await link.waitFor({ timeout: 5_000 });
    await link.click();
    await page.locator('h1', { hasText: "Sent by the guide's Python code" }).waitFor();

    // "Other": the shell lines as shown, with curl; on a phone the guide fits the screen.
    const shell = await newProject(server, cookie, 'Cron scripts', 'other');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.url}/projects/${shell.id}`);
    await hydrated(page);
    await page.locator('.live-badge[data-state="live"]').first().waitFor({ timeout: 15_000 });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the guide on a phone is ${width} px wide`);
    execFileSync('sh', ['-c', await code(page)], { timeout: 20_000 });
    await panel(page).locator('p.first-event.arrived a', { hasText: 'Hello from curl' }).waitFor({ timeout: 5_000 });

    // A project that has events shows no guide, only its keys' setup.
    await sendError(server, { type: 'LaterError', value: 'one more' });
    await page.goto(`${server.url}/projects/${server.projectId}`);
    await hydrated(page);
    assert.equal(await panel(page).count(), 0);
    assert.deepEqual(problems, [], 'no errors in the browser console');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await server.stop();
    server.removeData();
  }
});
