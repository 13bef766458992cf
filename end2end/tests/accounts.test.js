// A new instance in a real browser: the setup page refuses a wrong setup token and creates the
// owner with the one the server printed; the owner makes a project, reads its DSN, sees its first
// error arrive, invites a teammate; the teammate joins with the link and sees the project as a
// member, without its admin settings.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PASSWORD, hydrated, launchBrowser, rememberSecret, repoRoot, sendError, startServer } from './support.js';

const screenshots = join(repoRoot, 'target', 'end2end');
let browser;
let server;

before(async () => {
  mkdirSync(screenshots, { recursive: true });
  browser = await launchBrowser();
  server = await startServer();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  server?.removeData();
});

async function fill(page, name, value) {
  await page.locator(`[name="${name}"]`).fill(value);
}

test('setup, a project with its DSN, a first live error, and an invited teammate', async () => {
  const owner = await (await browser.newContext()).newPage();
  const problems = [];
  owner.on('pageerror', (error) => problems.push(error.message));
  owner.on('console', (message) => message.type() === 'error' && console.log('CONSOLE', message.text()));

  await owner.goto(server.url);
  await owner.waitForURL(/\/setup$/);
  await hydrated(owner);
  await fill(owner, 'setup-token', 'not-the-printed-token');
  await fill(owner, 'email', 'founder@example.com');
  await fill(owner, 'password', PASSWORD);
  await owner.getByRole('button', { name: 'Create owner account' }).click();
  await owner.getByRole('alert').filter({ hasText: 'not the setup token' }).waitFor();
  await fill(owner, 'setup-token', server.setupToken);
  await owner.getByRole('button', { name: 'Create owner account' }).click();
  await owner.waitForURL(/\/projects$/);
  await hydrated(owner);
  const cookies = await owner.context().cookies();
  const session = cookies.find((cookie) => cookie.name === 'faultline_session');
  assert.ok(session?.httpOnly, 'the session cookie is HttpOnly');
  assert.equal(session.sameSite, 'Lax');
  rememberSecret(session.value);

  await fill(owner, 'project-name', 'Shop');
  await owner.locator('select[name="platform"]').first().selectOption('python');
  await owner.getByRole('button', { name: 'Create project' }).click();
  await owner.waitForURL(/\/projects\/\d+$/);
  await hydrated(owner);
  await owner.getByRole('heading', { name: 'Shop' }).waitFor();
  const dsn = (await owner.locator('.dsn-value').first().textContent()).trim();
  assert.match(dsn, /^http:\/\/[0-9a-f]{32}@127\.0\.0\.1:\d+\/\d+$/);
  await owner.locator('summary', { hasText: 'Python' }).click();
  assert.match(await owner.locator('.snippet code').last().textContent(), /sentry_sdk\.init\(dsn="http:/);
  await owner.screenshot({ path: join(screenshots, 'project.png'), fullPage: true });

  await owner.getByRole('link', { name: 'Issues' }).click();
  await owner.locator('.live-badge[data-state="live"]').waitFor({ timeout: 15_000 });
  const project = { url: server.url, key: new URL(dsn).username, projectId: new URL(dsn).pathname.slice(1) };
  await sendError(project, { type: 'SignupError', value: 'first error of Shop' });
  await owner.locator('.issue-row', { hasText: 'SignupError' }).waitFor({ timeout: 2_000 });

  await owner.getByRole('link', { name: 'Users' }).click();
  await owner.locator('select[name="invite-project"]').selectOption({ label: 'Shop' });
  await owner.getByRole('button', { name: 'Create invite link' }).click();
  const invite = (await owner.locator('.invite-url').textContent()).trim();
  assert.ok(invite.startsWith(`${server.url}/invite/`));
  // The link waits in the owner's list; the owner's own row offers nothing that locks them out.
  await owner.locator('.invite-row', { hasText: 'member of Shop' }).waitFor();
  const ownRow = owner.locator('.user-row', { hasText: '(you)' });
  await ownRow.getByText('Another owner can change your account').waitFor();
  assert.equal(await ownRow.getByRole('button').count(), 0, 'no Remove owner or Disable on oneself');

  const teammate = await (await browser.newContext()).newPage();
  await teammate.goto(invite);
  await hydrated(teammate);
  await teammate.getByText('You are invited to Shop as member.').waitFor();
  await fill(teammate, 'email', 'teammate@example.com');
  await fill(teammate, 'password', PASSWORD);
  await teammate.getByRole('button', { name: 'Create account' }).click();
  await teammate.locator('.issue-row', { hasText: 'SignupError' }).waitFor({ timeout: 15_000 });
  await hydrated(teammate);
  await teammate.getByRole('link', { name: 'Projects' }).click();
  await teammate.getByRole('link', { name: 'Shop' }).click();
  await teammate.getByText('You are member').waitFor();
  assert.equal(await teammate.getByRole('button', { name: 'Delete project' }).count(), 0, 'members cannot delete');
  assert.equal(await teammate.getByRole('link', { name: 'Users' }).count(), 0, 'only the owner administers users');

  await teammate.getByRole('button', { name: 'Sign out' }).click();
  await teammate.waitForURL(/\/login$/);
  await teammate.goto(server.url);
  await teammate.waitForURL(/\/login$/);

  // A used link says so; the owner's list no longer has it, and a new link can be revoked.
  await teammate.goto(invite);
  await teammate.getByRole('alert').filter({ hasText: 'this invite link was already used; sign in' }).waitFor();
  await owner.reload();
  await hydrated(owner);
  await owner.getByText('None: every link was used, revoked or has expired.').waitFor();
  await owner.getByRole('button', { name: 'Create invite link' }).click();
  const revoked = (await owner.locator('.invite-url').textContent()).trim();
  const row = owner.locator('.invite-row', { hasText: 'an account, no project' });
  await row.getByRole('button', { name: 'Revoke' }).click();
  await row.waitFor({ state: 'detached' });
  await teammate.goto(revoked);
  await teammate.getByRole('alert').filter({ hasText: 'no such invite' }).waitFor();
  assert.deepEqual(problems, []);
});

test('a wrong password is refused on the sign-in page', async () => {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${server.url}/login`);
  await hydrated(page);
  await fill(page, 'email', 'founder@example.com');
  await fill(page, 'password', 'not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'wrong email or password' }).waitFor();
  await fill(page, 'password', PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${server.url}/`);
  await hydrated(page);
});

test('signing in returns to the link one came from, and only to this site', async () => {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${server.url}/projects?from=mail`);
  await page.waitForURL(`${server.url}/login?next=%2Fprojects%3Ffrom%3Dmail`);
  await hydrated(page);
  await fill(page, 'email', 'founder@example.com');
  await fill(page, 'password', PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${server.url}/projects?from=mail`);

  const elsewhere = await (await browser.newContext()).newPage();
  await elsewhere.goto(`${server.url}/login?next=${encodeURIComponent('//example.com/phish')}`);
  await hydrated(elsewhere);
  await fill(elsewhere, 'email', 'founder@example.com');
  await fill(elsewhere, 'password', PASSWORD);
  await elsewhere.getByRole('button', { name: 'Sign in' }).click();
  await elsewhere.waitForURL(`${server.url}/`);
});
