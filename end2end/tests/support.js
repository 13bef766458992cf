// Shared pieces of the browser tests: a real Faultline server on a free port with its own data
// directory, Debian's Chromium through playwright-core, and events sent the way SDKs send them.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

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

/// Starts the server binary and waits for its `DSN:` and `Dashboard:` lines.
export async function startServer({ port, dataDir } = {}) {
  const binary = process.env.FAULTLINE_BIN;
  if (!binary) throw new Error('FAULTLINE_BIN must name the server binary; `cargo xtask test` sets it');
  dataDir ??= mkdtempSync(join(tmpdir(), 'faultline-e2e-'));
  port ??= await freePort();
  const child = spawn(binary, ['--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const printed = {};
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not start within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}`)));
    lines.on('line', (line) => {
      const [label, value] = line.split(/:\s+/, 2);
      if (label === 'DSN' || label === 'Dashboard') printed[label] = value;
      if (printed.DSN && printed.Dashboard) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const dsn = new URL(printed.DSN);
  return {
    child,
    port,
    dataDir,
    url: printed.Dashboard,
    dsn: printed.DSN,
    key: dsn.username,
    projectId: dsn.pathname.slice(1),
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
export async function sendError(server, { type, value, eventId = crypto.randomUUID().replaceAll('-', '') }) {
  const event = {
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
  const body = `${JSON.stringify({ event_id: eventId, sent_at: new Date().toISOString() })}\n{"type":"event"}\n${JSON.stringify(event)}`;
  const response = await fetch(`${server.url}/api/${server.projectId}/envelope/?sentry_version=7&sentry_key=${server.key}`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain;charset=UTF-8' },
    body,
  });
  if (response.status !== 200) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
  return eventId;
}
