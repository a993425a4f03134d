#!/usr/bin/env node
// The `sg-sentry` command: runs the built CLI (dist/cli/sg-sentry.js, made by `npm run build`).
// In a checkout that has not been built yet it runs the TypeScript sources through tsx (a dev
// dependency), so `npx sg-sentry` works right after `npm ci`.
// biome-ignore lint/suspicious/noRedundantUseStrict: this file is CommonJS (package.json has no "type"), where the directive is not implied
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const built = join(root, 'dist', 'cli', 'sg-sentry.js');

if (existsSync(built)) {
  require(built);
} else {
  let register;
  try {
    register = require('tsx/cjs/api').register;
  } catch {
    process.stderr.write('sg-sentry: dist/cli/sg-sentry.js is missing: run `npm run build` first\n');
    process.exit(2);
  }
  register();
  require(join(root, 'cli', 'main.ts'));
}
