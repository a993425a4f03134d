import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from '../helpers/fixtures';
import { ROOT, sgSentry } from './run-cli';

const EVENTS = join(ROOT, 'examples', 'events');

/** examples/events/README.md: each example is a byte-for-byte copy of a real fixture. */
const COPIES: Readonly<Record<string, string>> = {
  'ssh-open-to-world.json': 'authorize-ingress-ssh-world-rule-ids-console-assumedrole.json',
  'ssh-from-office-cidr.json': 'authorize-ingress-ssh-cidr-rule-ids-cli-grimoire.json',
  'mysql-open-to-world-v4-v6.json': 'authorize-ingress-mysql-world-v4-v6-console-no-rule-ids.json',
  'eventbridge-sg-reference.json': 'eventbridge-envelope-authorize-ingress-sg-reference-cloudformation-1.json',
  'revoke-egress-ignored.json': 'revoke-egress-ssh-rdp-console.json',
};

const LOG_FILE_RECORDS = [
  'create-security-group-console-2021.json',
  'authorize-ingress-ssh-world-go-sdk-no-rule-ids.json',
  'authorize-egress-all-traffic-terraform-no-rule-ids.json',
  'revoke-ingress-mysql-v4-v6-console-unknown-ip-permission-set.json',
  'ec2-runinstances-error-client-unauthorizedoperation-stratus.json',
];

describe('examples/events', () => {
  it('holds only the documented files', () => {
    expect(readdirSync(EVENTS).sort()).to.deep.equal([...Object.keys(COPIES), 'cloudtrail-log-file.json', 'README.md'].sort());
  });

  for (const [example, real] of Object.entries(COPIES)) {
    it(`keeps ${example} identical to the real fixture ${real}`, () => {
      expect(readFileSync(join(EVENTS, example), 'utf8')).to.equal(readFileSync(join(FIXTURES, 'cloudtrail', real), 'utf8'));
    });
  }

  it('builds cloudtrail-log-file.json from real records, unchanged', () => {
    const file = JSON.parse(readFileSync(join(EVENTS, 'cloudtrail-log-file.json'), 'utf8'));

    expect(file.Records).to.deep.equal(
      LOG_FILE_RECORDS.map((name) => JSON.parse(readFileSync(join(FIXTURES, 'cloudtrail', name), 'utf8'))),
    );
  });

  it('gives the documented "Try it in one minute" results', async () => {
    const all = await sgSentry(['check', 'examples/events/ssh-open-to-world.json', 'examples/events/eventbridge-sg-reference.json']);
    const office = await sgSentry([
      'check',
      '--policy',
      'examples/policies/office-cidrs.json',
      'examples/events/ssh-from-office-cidr.json',
    ]);
    const log = await sgSentry(['check', 'examples/events/cloudtrail-log-file.json']);
    const restrict = await sgSentry([
      'check',
      '--policy',
      'examples/policies/restrict.json',
      'examples/events/mysql-open-to-world-v4-v6.json',
    ]);

    expect(all.code).to.equal(1);
    expect(office.code).to.equal(0);
    expect(office.stdout).to.contain('allowed by ingress.allow[1] (203.0.113.0/24, tcp/22,443)');
    expect(log.code).to.equal(1);
    expect(log.stdout).to.contain('5 event(s): 1 violating, 0 exempt, 2 allowed, 2 ignored, 0 invalid');
    expect(restrict.stdout).to.contain(
      '  VIOLATION  ingress tcp/3306 from 0.0.0.0/0  -> restrict to 10.0.0.0/8\n' +
        '      tcp/3306 from 0.0.0.0/0 is not covered by any ingress.allow entry\n' +
        '  VIOLATION  ingress tcp/3306 from ::/0  -> revoke (not restricted: restrict_to has no IPv6 CIDR)\n' +
        '      tcp/3306 from ::/0 is not covered by any ingress.allow entry\n',
    );
  });
});
