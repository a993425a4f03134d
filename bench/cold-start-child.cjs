'use strict';
// One cold start in a fresh process: load the bundle, run one event through its handler, and
// say how long each part took. Plain JavaScript, so that nothing but the bundle is compiled.
const { performance } = require('node:perf_hooks');
const { readFileSync } = require('node:fs');

const [bundle, eventFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const beforeRequire = performance.now();
const { handler } = require(bundle);
const afterRequire = performance.now();
handler(event, {}).then(
  (report) => {
    const done = performance.now();
    const result = {
      requireMs: afterRequire - beforeRequire,
      handlerMs: done - afterRequire,
      sinceProcessStartMs: done,
      actions: report.findings.map((f) => f.action),
    };
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  },
  (error) => {
    process.stdout.write(`THROWN ${error.name}: ${error.message}\n`);
    process.exitCode = 3;
  },
);
