// Runs after the browser tests: the servers they started logged at debug level, and not one of
// the secrets the tests used (passwords, session cookies, API tokens, DSN secrets) is in those logs.

import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PASSWORD, logDir, repoRoot } from '../tests/support.js';

test('no secret used by the browser tests appears in any server log', () => {
  const canaryFile = join(repoRoot, 'target', 'end2end', 'canaries.txt');
  assert.ok(existsSync(canaryFile), 'the browser tests recorded the secrets they used');
  const secrets = [PASSWORD, 'canary-dsn-secret-9d2e', ...readFileSync(canaryFile, 'utf8').split('\n')].filter((s) => s.length >= 8);
  const logs = readdirSync(logDir).filter((name) => name.endsWith('.log'));
  assert.ok(logs.length >= 3, 'the servers wrote logs');
  const text = logs.map((name) => readFileSync(join(logDir, name), 'utf8')).join('\n');
  assert.ok(text.includes('DEBUG') || text.includes('INFO'), 'the logs have content');
  for (const secret of new Set(secrets)) {
    assert.ok(!text.includes(secret), `a secret reached the logs: ${secret.slice(0, 6)}…`);
  }
});
