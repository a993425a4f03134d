/**
 * What `sg-sentry check` reads besides single files: the day folders `aws s3 sync` makes of a
 * trail bucket, standard input, and `aws cloudtrail lookup-events` output; and the one JSON
 * document it prints.
 */
import { expect } from 'chai';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FakeAws } from '../helpers/fake-aws';
import { fixture, FIXTURES } from '../helpers/fixtures';
import { sgSentry, tempDir, writeTemp } from './run-cli';

const SSH_WORLD = `${FIXTURES}/cloudtrail/authorize-ingress-ssh-world-rule-ids-console-assumedrole.json`;
const SSH_WORLD_ID = '2aae5c69-4eaf-490d-b022-fd622c12a717';
const GO_SDK_ID = '42155429-7e8e-43b5-9b5e-6953f80d51d5';

/** `aws cloudtrail lookup-events` wraps each record, as a JSON string, with a few fields of its own. */
function lookupEvents(records: readonly Record<string, any>[]): string {
  return JSON.stringify({
    Events: records.map((r) => ({
      EventId: r.eventID,
      EventName: r.eventName,
      EventTime: r.eventTime,
      EventSource: r.eventSource,
      CloudTrailEvent: JSON.stringify(r),
    })),
  });
}

describe('sg-sentry check: directories, standard input and lookup-events output (the built binary)', () => {
  const aws = new FakeAws();
  let offlineEnv: NodeJS.ProcessEnv = {};

  before(async () => {
    offlineEnv = FakeAws.env(await aws.start());
  });
  after(() => aws.stop());
  beforeEach(() => aws.reset());

  it('reads every .json and .json.gz file below a directory, in day folders as aws s3 sync lays them out', async () => {
    // Prepare: two days of a trail, one gzipped log file each, and a file that is not a log file.
    const trail = join(tempDir(), 'trail');
    mkdirSync(join(trail, '2025', '05', '01'), { recursive: true });
    mkdirSync(join(trail, '2025', '05', '02'), { recursive: true });
    const day1 = writeTemp(
      join(trail, '2025', '05', '01'),
      '123456789012_CloudTrail_us-east-1_20250501T0000Z_a.json.gz',
      gzipSync(
        JSON.stringify({
          Records: [
            fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids'),
            fixture('revoke-ingress-mysql-v4-v6-console-unknown-ip-permission-set'),
          ],
        }),
      ),
    );
    const day2 = writeTemp(
      join(trail, '2025', '05', '02'),
      '123456789012_CloudTrail_us-east-1_20250502T0000Z_b.json.gz',
      gzipSync(JSON.stringify({ Records: [fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole')] })),
    );
    writeTemp(trail, 'README.txt', 'not an event');

    // Act
    const run = await sgSentry(['check', trail], offlineEnv);

    // Assess: both days judged, the non-SG record counted, not listed; no AWS call.
    expect(run.code).to.equal(1);
    expect(run.stdout).to.contain(`${day1} [record 0]: AuthorizeSecurityGroupIngress ${GO_SDK_ID}`);
    expect(run.stdout).to.contain(`${day2} [record 0]: AuthorizeSecurityGroupIngress ${SSH_WORLD_ID}`);
    expect(run.stdout).to.not.contain('ignored RevokeSecurityGroupIngress');
    expect(run.stdout).to.contain(
      '3 event(s): 2 violating, 0 exempt, 0 allowed, 1 ignored (1 not listed: in files found in a directory), 0 invalid',
    );
    expect(run.stdout.indexOf(day1)).to.be.lessThan(run.stdout.indexOf(day2));
    expect(aws.calls).to.deep.equal([]);
  });

  it('exits 2 for a directory that holds no event file, so an empty sync never passes as clean', async () => {
    // Prepare
    const empty = tempDir();
    writeTemp(empty, 'notes.txt', 'nothing here');

    // Act
    const run = await sgSentry(['check', empty], offlineEnv);

    // Assess
    expect(run.code).to.equal(2);
    expect(run.stderr).to.equal(`sg-sentry: ${empty}: a directory with no .json or .json.gz file in it (or below)\n`);
  });

  it('reads standard input for -, gzipped or not', async () => {
    // Prepare
    const event = readFileSync(SSH_WORLD);

    // Act
    const plain = await sgSentry(['check', '-'], offlineEnv, { stdin: event });
    const gzipped = await sgSentry(['check', '-'], offlineEnv, { stdin: gzipSync(event) });

    // Assess
    for (const run of [plain, gzipped]) {
      expect(run.code).to.equal(1);
      expect(run.stdout).to.contain(`(stdin): AuthorizeSecurityGroupIngress ${SSH_WORLD_ID}`);
      expect(run.stdout).to.contain('VIOLATION  ingress tcp/22 from 0.0.0.0/0 (sgr-09be5c962afdc06ed)  -> revoke');
    }
  });

  it('names standard input in a JSON error', async () => {
    const run = await sgSentry(['check', '-'], offlineEnv, { stdin: '{"Records": [' });

    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(/^sg-sentry: \(stdin\): not valid JSON: /);
  });

  it('judges each record of aws cloudtrail lookup-events output, from a file or from a pipe', async () => {
    // Prepare: what `aws cloudtrail lookup-events` prints for two real records.
    const answer = lookupEvents([
      fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole'),
      fixture('authorize-ingress-ssh-cidr-rule-ids-cli-grimoire'),
    ]);
    const file = writeTemp(tempDir(), 'lookup.json', answer);

    // Act
    const fromFile = await sgSentry(['check', '--format', 'json', file], offlineEnv);
    const fromPipe = await sgSentry(['check', '--format', 'json', '-'], offlineEnv, { stdin: answer });

    // Assess
    const fileDocument = JSON.parse(fromFile.stdout);
    expect(fileDocument.results.map((r: any) => [r.record, r.report.event_id, r.report.verdict])).to.deep.equal([
      [0, SSH_WORLD_ID, 'violation'],
      [1, fixture('authorize-ingress-ssh-cidr-rule-ids-cli-grimoire').eventID, 'violation'],
    ]);
    expect(JSON.parse(fromPipe.stdout).results.map((r: any) => r.input)).to.deep.equal(['(stdin) [record 0]', '(stdin) [record 1]']);
  });

  it('reports a lookup-events entry whose CloudTrailEvent is not JSON as invalid, and still judges the others', async () => {
    // Prepare
    const answer = JSON.parse(lookupEvents([fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole')]));
    answer.Events.unshift({ EventId: 'x', CloudTrailEvent: '{"eventVersion": ' });
    const file = writeTemp(tempDir(), 'lookup.json', JSON.stringify(answer));

    // Act
    const run = await sgSentry(['check', file], offlineEnv);

    // Assess
    expect(run.code).to.equal(2);
    expect(run.stdout).to.contain(`${file} [record 0]: INVALID (see stderr)`);
    expect(run.stdout).to.contain(`${file} [record 1]: AuthorizeSecurityGroupIngress ${SSH_WORLD_ID}`);
  });

  it('prints one JSON document with the real account and the policy mode as written', async () => {
    // Act
    const run = await sgSentry(['check', '--format', 'json', '--policy', 'examples/policies/report-only.json', SSH_WORLD], offlineEnv);

    // Assess
    const document = JSON.parse(run.stdout);
    expect(document).to.include({ command: 'check', account: '776520358045', run_mode: 'report', exit_code: 1 });
    expect(document.accounts).to.deep.equal(['776520358045']);
    expect(document.policy).to.deep.equal({ source: 'examples/policies/report-only.json', mode: 'report', action: 'revoke' });
    expect(document.summary).to.deep.equal({
      reports: 1,
      rules: 1,
      violations: 1,
      exempt: 0,
      allowed: 0,
      ignored: 0,
      invalid: 0,
      failed: 0,
    });
    expect(document.failures).to.deep.equal([]);
  });

  it('keeps --json as the same as --format json, and refuses two formats at once', async () => {
    const alias = await sgSentry(['check', '--json', SSH_WORLD], offlineEnv);
    const named = await sgSentry(['check', '--format', 'json', SSH_WORLD], offlineEnv);
    const both = await sgSentry(['check', '--json', '--format', 'sarif', SSH_WORLD], offlineEnv);
    const unknown = await sgSentry(['check', '--format', 'xml', SSH_WORLD], offlineEnv);

    expect(alias.stdout).to.equal(named.stdout);
    expect(both.code).to.equal(2);
    expect(both.stderr).to.equal('sg-sentry: check: --json and --format sarif ask for two formats; give one\n');
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.contain('--format xml: expected one of text, json, sarif');
  });

  it('lists an unreadable file once on stderr and in failures, exiting 2, while judging the rest', async () => {
    const run = await sgSentry(['check', '--format', 'json', 'no-such-file.json', SSH_WORLD], offlineEnv);

    expect(run.code).to.equal(2);
    expect(run.stderr).to.equal('sg-sentry: no-such-file.json: no such file or directory\n');
    const document = JSON.parse(run.stdout);
    expect(document.failures).to.deep.equal([{ input: 'no-such-file.json', error: 'no-such-file.json: no such file or directory' }]);
    expect(document.results).to.have.length(1);
  });
});
