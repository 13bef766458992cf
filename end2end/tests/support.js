// Shared pieces of the browser tests: a real Faultline server on a free port with its own data
// directory, Debian's Chromium through playwright-core, and events sent the way SDKs send them.

import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/// Where the servers of the browser tests write their logs (at debug level), and the secrets the
/// tests used, which `end2end/after/` proves never reached those logs.
export const logDir = join(repoRoot, 'target', 'end2end', 'logs');
const canaryFile = join(repoRoot, 'target', 'end2end', 'canaries.txt');

/// Records a secret a test used, for the log check after the suite.
export function rememberSecret(secret) {
  mkdirSync(logDir, { recursive: true });
  appendFileSync(canaryFile, `${secret}\n`);
}

/// The password every browser test account uses; a canary for the log check.
export const PASSWORD = 'Canary-Passw0rd-e2e-7f3a';

// Flags for Chromium in this sandbox: no GPU, no network beyond loopback, no first-run UI.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
}

/// Where the browser tests save their screenshots.
export const screenshots = join(repoRoot, 'target', 'end2end');

/// One Chromium for the calling test file: launched before its tests (handed to `opened`) and
/// closed after them.
export function useBrowser(opened) {
  let browser;
  before(async () => {
    mkdirSync(screenshots, { recursive: true });
    browser = await launchBrowser();
    opened(browser);
  });
  after(async () => {
    await browser?.close();
  });
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/// Starts the server binary (with `args` added to its flags) and waits for its `DSN:` and
/// `Dashboard:` lines (after the `Setup token:` line of a fresh data directory).
export async function startServer({ port, dataDir, args = [] } = {}) {
  const binary = process.env.FAULTLINE_BIN;
  if (!binary) throw new Error('FAULTLINE_BIN must name the server binary; `cargo xtask test` sets it');
  dataDir ??= mkdtempSync(join(tmpdir(), 'faultline-e2e-'));
  port ??= await freePort();
  mkdirSync(logDir, { recursive: true });
  const log = openSync(join(logDir, `server-${port}-${Date.now()}.log`), 'a');
  const child = spawn(binary, ['--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', log],
    env: { ...process.env, RUST_LOG: 'debug' },
  });
  const lines = createInterface({ input: child.stdout });
  const printed = {};
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not start within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}`)));
    lines.on('line', (line) => {
      const [label, value] = line.split(/:\s+/, 2);
      if (['Setup token', 'DSN', 'Dashboard'].includes(label)) printed[label] = value;
      if (printed.DSN && printed.Dashboard) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const dsn = new URL(printed.DSN);
  if (printed['Setup token']) rememberSecret(printed['Setup token']);
  return {
    child,
    port,
    dataDir,
    url: printed.Dashboard,
    dsn: printed.DSN,
    key: dsn.username,
    projectId: dsn.pathname.slice(1),
    setupToken: printed['Setup token'],
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
    removeData() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/// Sends an error event the way @sentry/browser does: an envelope, key in the query string.
/// `extra` adds event fields (release, user, breadcrumbs, …).
export async function sendError(server, { type, value, eventId = crypto.randomUUID().replaceAll('-', ''), extra = {} }) {
  const event = {
    ...extra,
    event_id: eventId,
    timestamp: Date.now() / 1000,
    platform: 'javascript',
    level: 'error',
    exception: {
      values: [
        {
          type,
          value,
          stacktrace: { frames: [{ filename: 'app:///checkout.js', function: 'pay', lineno: 12, colno: 5, in_app: true }] },
          mechanism: { type: 'generic', handled: true },
        },
      ],
    },
  };
  return sendEvent(server, event);
}

/// Sends `event` (which has its `event_id`) in an envelope, key in the query string.
export async function sendEvent(server, event) {
  const body = `${JSON.stringify({ event_id: event.event_id, sent_at: new Date().toISOString() })}\n{"type":"event"}\n${JSON.stringify(event)}`;
  const response = await fetch(`${server.url}/api/${server.projectId}/envelope/?sentry_version=7&sentry_key=${server.key}`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain;charset=UTF-8' },
    body,
  });
  if (response.status !== 200) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
  return event.event_id;
}

/// Creates the instance owner through the setup API with the setup token the server printed, as
/// the setup page does; returns the session cookie (`name=value`).
export async function setupOwner(server, email = 'owner@example.com') {
  const response = await fetch(`${server.url}/api/0/auth/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.url },
    body: JSON.stringify({ setup_token: server.setupToken, email, password: PASSWORD }),
  });
  if (response.status !== 200) throw new Error(`setup answered ${response.status}: ${await response.text()}`);
  const cookie = response.headers.get('set-cookie').split(';')[0];
  rememberSecret(cookie.split('=')[1]);
  return cookie;
}

/// A teammate with `role` in the server's default project, invited by the owner (whose session
/// cookie this is) and signed up through the invite; returns the teammate's session cookie.
export async function inviteTeammate(server, ownerCookie, email, role = 'member') {
  const invited = await fetch(`${server.url}/api/0/invites/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.url, cookie: ownerCookie },
    body: JSON.stringify({ project_id: Number(server.projectId), role }),
  });
  if (invited.status !== 200) throw new Error(`invite answered ${invited.status}: ${await invited.text()}`);
  const token = new URL((await invited.json()).url).pathname.split('/').pop();
  rememberSecret(token);
  const accepted = await fetch(`${server.url}/api/0/invites/${token}/accept`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.url },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (accepted.status !== 200) throw new Error(`accept answered ${accepted.status}: ${await accepted.text()}`);
  const cookie = accepted.headers.get('set-cookie').split(';')[0];
  rememberSecret(cookie.split('=')[1]);
  return cookie;
}

/// `GET path` of the API with the session cookie, decoded.
export async function getJson(server, cookie, path) {
  const response = await fetch(`${server.url}${path}`, { headers: { cookie } });
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}`);
  return response.json();
}

/// An API token of the user whose session cookie this is.
export async function apiToken(server, cookie, scope = 'admin') {
  const response = await fetch(`${server.url}/api/0/tokens/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.url, cookie },
    body: JSON.stringify({ name: 'e2e', scope }),
  });
  const { token } = await response.json();
  rememberSecret(token);
  return token;
}

/// A browser context signed in with the session cookie.
export async function signedInContext(browser, server, cookie) {
  const context = await browser.newContext();
  const [name, value] = cookie.split('=');
  await context.addCookies([{ name, value, url: server.url }]);
  return context;
}

/// Waits until the page's wasm has hydrated it, so its forms and buttons work.
export async function hydrated(page) {
  await page.locator('body[data-hydrated]').waitFor({ timeout: 20_000 });
}

/// A new page of `context` whose uncaught errors and console errors are collected in `problems`.
export async function watchedPage(context) {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
  return { page, problems };
}

/// Opens `path` in a new context signed in with `cookie`, and waits until the page is hydrated
/// and its live socket is open (the badge says "live"). Collects the page's errors in `problems`
/// and marks the page, so that `notReloaded` can tell it was never reloaded.
export async function openLive(browser, server, cookie, path = '/') {
  const { page, problems } = await watchedPage(await signedInContext(browser, server, cookie));
  await page.goto(`${server.url}${path}`);
  await page.locator('.live-badge[data-state="live"]').waitFor({ timeout: 15_000 });
  await page.evaluate(() => {
    window.faultlineTestMarker = 'still the same page';
  });
  return { page, problems };
}

/// Whether the page opened by `openLive` is still the same page, never reloaded.
export async function notReloaded(page) {
  return (await page.evaluate(() => window.faultlineTestMarker)) === 'still the same page';
}
