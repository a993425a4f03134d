/**
 * `--format sarif` against the SARIF 2.1.0 JSON schema (OASIS, vendored with its provenance in
 * __tests__/fixtures/schemas/), validated with ajv, for check and for scan.
 */
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { callerIdentityResponder, FakeAws, securityGroupRulesResponder } from '../helpers/fake-aws';
import { fixture, FIXTURES } from '../helpers/fixtures';
import { accountRules, groupId, isIngressViolation, paginate, REGION } from '../sweep/account';
import { sgSentry, tempDir, writeTemp } from './run-cli';

const SCHEMA = JSON.parse(readFileSync(join(FIXTURES, 'schemas', 'sarif-schema-2.1.0.json'), 'utf8'));
const SSH_WORLD = `${FIXTURES}/cloudtrail/authorize-ingress-ssh-world-rule-ids-console-assumedrole.json`;
const MYSQL_V4_V6 = `${FIXTURES}/cloudtrail/authorize-ingress-mysql-world-v4-v6-console-no-rule-ids.json`;
const ALLOWED = `${FIXTURES}/cloudtrail/eventbridge-envelope-authorize-ingress-sg-reference-cloudformation-1.json`;

function validator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(SCHEMA);
}

function problemsOf(log: unknown): string[] {
  const validate = validator();
  return validate(log) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

describe('sg-sentry --format sarif: a SARIF 2.1.0 log (the built binary)', () => {
  it('the schema catches what breaks it, so the checks below can fail', () => {
    expect(
      problemsOf({
        version: '2.1.0',
        runs: [{ tool: { driver: { name: 'sg-sentry' } }, results: [{ level: 'fatal', message: { text: 'x' } }] }],
      }),
    ).to.not.deep.equal([]);
  });

  it("writes check's violations as schema-valid results: one per violation, level error, the reason as message, the file and the group as locations", async () => {
    // Act: two violating events (one rule, then two) and an allowed one.
    const run = await sgSentry(['check', '--format', 'sarif', SSH_WORLD, MYSQL_V4_V6, ALLOWED]);

    // Assess
    expect(run.code).to.equal(1);
    const log = JSON.parse(run.stdout);
    expect(problemsOf(log)).to.deep.equal([]);
    const results = log.runs[0].results;
    expect(results).to.have.length(3);
    expect(results.every((r: any) => r.level === 'error' && r.ruleId === 'sg-sentry/ingress-not-allowed')).to.equal(true);
    expect(results[0].message.text).to.equal('would revoke: tcp/22 from 0.0.0.0/0 is not covered by any ingress.allow entry');
    expect(results[0].locations[0].physicalLocation.artifactLocation.uri).to.equal(
      '__tests__/fixtures/cloudtrail/authorize-ingress-ssh-world-rule-ids-console-assumedrole.json',
    );
    expect(results[0].locations[0].logicalLocations[0]).to.deep.equal({
      name: 'sg-0632fa4ee8a8468a4',
      fullyQualifiedName: '776520358045/us-east-1/sg-0632fa4ee8a8468a4',
      kind: 'resource',
    });
    expect(results[0].partialFingerprints['sgSentryRule/v1']).to.equal(
      'sg-sentry/776520358045/us-east-1/sg-0632fa4ee8a8468a4/ingress/tcp/22/0.0.0.0/0',
    );
    expect(log.runs[0].invocations[0]).to.include({ executionSuccessful: true, exitCode: 1 });
  });

  it('stays schema-valid with no violation, with standard input, and with an input that could not be read', async () => {
    const clean = await sgSentry(['check', '--format', 'sarif', ALLOWED]);
    const piped = await sgSentry(['check', '--format', 'sarif', '-', 'missing.json'], undefined, { stdin: readFileSync(SSH_WORLD) });

    const cleanLog = JSON.parse(clean.stdout);
    const pipedLog = JSON.parse(piped.stdout);
    expect(problemsOf(cleanLog)).to.deep.equal([]);
    expect(cleanLog.runs[0].results).to.deep.equal([]);
    expect(problemsOf(pipedLog)).to.deep.equal([]);
    expect(pipedLog.runs[0].results[0].locations[0]).to.not.have.property('physicalLocation');
    expect(pipedLog.runs[0].invocations[0].executionSuccessful).to.equal(false);
    expect(pipedLog.runs[0].invocations[0].toolExecutionNotifications[0].message.text).to.contain('missing.json');
  });

  it('escapes a file name that is not a plain URI path', async () => {
    const file = writeTemp(tempDir(), 'day 1 #2.json', JSON.stringify(fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole')));

    const run = await sgSentry(['check', '--format', 'sarif', file]);

    const log = JSON.parse(run.stdout);
    expect(problemsOf(log)).to.deep.equal([]);
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).to.match(/^file:\/\/\/.*day%201%20%232\.json$/);
  });

  describe('scan', () => {
    const aws = new FakeAws();
    let endpoint = '';
    const rules = accountRules().filter((r) => [0, 1].map(groupId).includes(r.groupId));

    before(async () => {
      endpoint = await aws.start();
    });
    after(() => aws.stop());

    it("writes scan's violations as schema-valid results with the group as logical location and no file", async () => {
      // Prepare
      aws.reset();
      aws.respond(callerIdentityResponder('123456789012')).respond(securityGroupRulesResponder(paginate(rules, [])));

      // Act
      const run = await sgSentry(['scan', '--format', 'sarif'], FakeAws.env(endpoint, { AWS_REGION: REGION }));

      // Assess
      const log = JSON.parse(run.stdout);
      expect(problemsOf(log)).to.deep.equal([]);
      expect(log.runs[0].results).to.have.length(rules.filter(isIngressViolation).length);
      expect(log.runs[0].results[0].locations[0]).to.not.have.property('physicalLocation');
      expect(log.runs[0].automationDetails.id).to.equal('sg-sentry/scan/');
    });
  });
});
