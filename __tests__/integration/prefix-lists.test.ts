/**
 * Managed prefix lists against an AWS-compatible API, through the built bundle: what EC2 holds
 * afterwards (the list's entries and version, the rules) is asserted.
 */
import { expect } from 'chai';
import {
  CreateManagedPrefixListCommand,
  DescribeManagedPrefixListsCommand,
  GetManagedPrefixListEntriesCommand,
  ModifyManagedPrefixListCommand,
} from '@aws-sdk/client-ec2';
import { clone, fixture } from '../helpers/fixtures';
import type { TestAccount } from './support/account';
import { replayAuthorize, rewriteStrings } from './support/events';
import { argumentsOfPaste, option } from './support/paste';
import { integrationSuite } from './support/suite';

// Derived from the real SSH-world console sample: tcp/5432 from prefix list pl-0a1b2c3d4e5f60718.
const PL_SOURCE = 'derived/prefix-list-source-postgres-from-ssh-world-rule-ids-console-assumedrole';
// Real console sample, abridged by its publisher (no eventID, no recipientAccountId): adds
// 71.131.0.0/16 ("My IP Range") to pl-0c3516b0e5630bf3e in us-west-2, by IAM user michael.
const MODIFY_LIST = 'modify-managed-prefix-list-add-entry-console-abridged';
const ADDED = { Cidr: '71.131.0.0/16', Description: 'My IP Range' };
const OFFICE = { Cidr: '10.20.0.0/16', Description: 'office VPN' };
/** What someone who edits the list and wants the paste to do more than it says might write. */
const HOSTILE_DESCRIPTION = "vendor's range; $(touch /tmp/pwned) `id` ${HOME}";

async function createList(account: TestAccount, entries: { Cidr: string; Description?: string }[], name = 'admin-ranges'): Promise<string> {
  const created = await account.ec2.send(
    new CreateManagedPrefixListCommand({ PrefixListName: name, AddressFamily: 'IPv4', MaxEntries: 10, Entries: entries }),
  );
  const id = created.PrefixList?.PrefixListId;
  if (id === undefined) throw new Error('the emulator created no prefix list');
  return id;
}

async function listState(account: TestAccount, id: string): Promise<{ version: number | undefined; cidrs: string[] }> {
  const described = await account.ec2.send(new DescribeManagedPrefixListsCommand({ PrefixListIds: [id] }));
  const entries = await account.ec2.send(new GetManagedPrefixListEntriesCommand({ PrefixListId: id }));
  return { version: described.PrefixLists?.[0]?.Version, cidrs: (entries.Entries ?? []).map((e) => e.Cidr ?? '').sort() };
}

/** The real sample's call made in `account` on list `id`, and its record rewritten as CloudTrail would write it there. */
async function replayListModification(
  account: TestAccount,
  id: string,
  added: { Cidr: string; Description: string } = ADDED,
): Promise<Record<string, any>> {
  const version = (await listState(account, id)).version;
  // The emulator forgets the list's name on a modification that does not repeat it (AWS keeps it).
  await account.ec2.send(
    new ModifyManagedPrefixListCommand({ PrefixListId: id, PrefixListName: 'admin-ranges', CurrentVersion: version, AddEntries: [added] }),
  );
  const record = rewriteStrings(clone(fixture(MODIFY_LIST)), {
    '598274344262': account.accountId,
    'us-west-2': account.region,
    'pl-0c3516b0e5630bf3e': id,
  });
  record.requestParameters.ModifyManagedPrefixListRequest.AddEntry.Description = added.Description;
  // The sample carries no recipientAccountId; EventBridge's envelope names the account.
  return {
    version: '0',
    id: 'c0ffee00-0000-4000-8000-000000000001',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.ec2',
    account: account.accountId,
    time: record.eventTime,
    region: account.region,
    resources: [],
    detail: record,
  };
}

async function entriesOf(account: TestAccount, id: string): Promise<string[]> {
  const entries = await account.ec2.send(new GetManagedPrefixListEntriesCommand({ PrefixListId: id }));
  return (entries.Entries ?? []).map((e) => `${e.Cidr} ${e.Description ?? ''}`).sort();
}

async function referenceOn(account: TestAccount, group: string, id: string, port: number): Promise<void> {
  await account.authorize(group, 'ingress', [{ IpProtocol: 'tcp', FromPort: port, ToPort: port, PrefixListIds: [{ PrefixListId: id }] }]);
}

/**
 * A bastion group whose tcp/22 rule references a list holding the office range, then the real
 * sample's modification adding 71.131.0.0/16 to the list; an inbox on the account's topic.
 */
async function bastionAfterListModification(account: TestAccount) {
  const id = await createList(account, [OFFICE]);
  const group = await account.createGroup('bastion');
  await referenceOn(account, group, id, 22);
  const event = await replayListModification(account, id);
  const inbox = await account.inbox();
  const before = await listState(account, id);
  return { account, id, group, event, inbox, before };
}

integrationSuite('managed prefix lists, end to end against EC2', (emulator) => {
  it('revokes at Authorize time a rule whose customer-managed list holds a world entry', async () => {
    // Prepare
    const account = await emulator.freshAccount();
    const id = await createList(account, [OFFICE, { Cidr: '0.0.0.0/0', Description: 'everyone' }]);
    const group = await account.createGroup('db');
    const { event } = await replayAuthorize(account, fixture(PL_SOURCE), group, { 'pl-0a1b2c3d4e5f60718': id });
    expect(await account.ruleLines(group)).to.include(`ingress tcp 5432-5432 ${id}`);

    // Act
    const run = await account.runHandler(event);

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(await account.ruleLines(group)).to.deep.equal(['egress -1 0.0.0.0/0']);
    expect(run.result.findings[0].reason).to.contain('holds an entry not covered by any ingress.allow entry: 0.0.0.0/0');
    expect((await listState(account, id)).cidrs).to.deep.equal(['0.0.0.0/0', '10.20.0.0/16']);
  });

  it('revokes a rule whose list the account created under an AWS-managed name, holding a world entry', async () => {
    // Prepare
    // The emulator, unlike AWS, lets an account name its list com.amazonaws.…; the list's owner is the account.
    const account = await emulator.freshAccount();
    const id = await createList(account, [{ Cidr: '0.0.0.0/0', Description: 'everyone' }], `com.amazonaws.${account.region}.s3`);
    const described = await account.ec2.send(new DescribeManagedPrefixListsCommand({ PrefixListIds: [id] }));
    expect(described.PrefixLists?.[0]?.OwnerId).to.equal(account.accountId);
    const group = await account.createGroup('db');
    const { event } = await replayAuthorize(account, fixture(PL_SOURCE), group, { 'pl-0a1b2c3d4e5f60718': id });

    // Act
    const run = await account.runHandler(event);

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(await account.ruleLines(group)).to.deep.equal(['egress -1 0.0.0.0/0']);
    expect(run.result.findings[0].reason).to.contain(`customer-managed prefix list ${id} (com.amazonaws.${account.region}.s3)`);
  });

  it('removes the world entry a list modification added, keeping the private entry and the rule', async () => {
    // Prepare
    const { account, id, group, event, inbox, before } = await bastionAfterListModification(await emulator.freshAccount());
    expect(before.cidrs).to.deep.equal(['10.20.0.0/16', '71.131.0.0/16']);

    // Act
    const run = await account.runHandler(event, { SENTRY_TOPIC_ARN: inbox.topicArn });

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    const after = await listState(account, id);
    expect(after.cidrs).to.deep.equal(['10.20.0.0/16']);
    expect(after.version).to.equal((before.version ?? 0) + 1);
    expect(await account.ruleLines(group)).to.include(`ingress tcp 22-22 ${id}`);
    expect(run.result).to.deep.include({ event_id_derived: true });
    const [notification] = await inbox.drain();
    expect(notification?.subject).to.equal(`sg-sentry: removed 71.131.0.0/16 from ${id} "admin-ranges", used by 1 group`);
    expect(notification?.attributes).to.include({ prefix_list_id: id });
  });

  it('keeps the entry a list modification added when the only group it opens has an active exception', async () => {
    // Prepare: the bastion is tagged with an exception that ends in two days (the bundle runs on the real clock)
    const account = await emulator.freshAccount();
    const id = await createList(account, [OFFICE]);
    const until = new Date(Date.now() + 2 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const group = await account.createGroup('bastion', { tags: { 'sg-sentry:exempt-until': until } });
    await referenceOn(account, group, id, 22);
    const event = await replayListModification(account, id);
    const before = await listState(account, id);

    // Act
    const run = await account.runHandler(event);

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(await listState(account, id)).to.deep.equal(before);
    expect(before.cidrs).to.deep.equal(['10.20.0.0/16', '71.131.0.0/16']);
    expect(run.result.prefix_list).to.deep.include({ outcome: 'exempt', detail: `exception until ${until} (tag sg-sentry:exempt-until)` });
    expect(run.result.findings.map((f: any) => `${f.source} ${f.verdict} ${f.action}`)).to.deep.equal(['71.131.0.0/16 exempt none']);
  });

  it('leaves a list alone that is referenced only on tcp/443, where a world entry is allowed', async () => {
    // Prepare
    const account = await emulator.freshAccount();
    const id = await createList(account, [{ Cidr: '0.0.0.0/0' }]);
    const group = await account.createGroup('web');
    await referenceOn(account, group, id, 443);
    const event = await replayListModification(account, id);
    const before = await listState(account, id);

    // Act
    const run = await account.runHandler(event);

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(await listState(account, id)).to.deep.equal(before);
    expect(run.result.prefix_list.outcome).to.equal('nothing-to-remove');
  });

  it('changes nothing in report mode and notifies what it would remove', async () => {
    // Prepare
    const { account, id, group, event, inbox, before } = await bastionAfterListModification(await emulator.freshAccount());

    // Act
    const run = await account.runHandler(event, { SENTRY_TOPIC_ARN: inbox.topicArn, SENTRY_POLICY: JSON.stringify({ mode: 'report' }) });

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(await listState(account, id)).to.deep.equal(before);
    expect(await account.ruleLines(group)).to.include(`ingress tcp 22-22 ${id}`);
    const [notification] = await inbox.drain();
    expect(notification?.subject).to.match(/^sg-sentry: would remove 71\.131\.0\.0\/16 from /);
  });

  it('puts a removed entry back, description and all, with the restore command pasted into bash', async () => {
    // Prepare: the sample's entry, with a description full of shell syntax, removed by the function.
    const account = await emulator.freshAccount();
    const id = await createList(account, [OFFICE]);
    const group = await account.createGroup('bastion');
    await referenceOn(account, group, id, 22);
    const event = await replayListModification(account, id, { ...ADDED, Description: HOSTILE_DESCRIPTION });
    const before = await entriesOf(account, id);
    const run = await account.runHandler(event);
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect((await listState(account, id)).cidrs).to.deep.equal(['10.20.0.0/16']);

    // Act
    const [restore] = run.result.restore;
    const words = argumentsOfPaste(restore.command);
    const versionAfterRemoval = (await listState(account, id)).version;
    await account.ec2.send(
      new ModifyManagedPrefixListCommand({
        PrefixListId: option(words, '--prefix-list-id'),
        CurrentVersion: Number(option(words, '--current-version')),
        AddEntries: JSON.parse(option(words, '--add-entries')),
      }),
    );

    // Assess
    expect(words.slice(0, 4)).to.deep.equal(['ec2', 'modify-managed-prefix-list', '--region', account.region]);
    expect(Number(option(words, '--current-version'))).to.equal(versionAfterRemoval);
    expect(await entriesOf(account, id)).to.deep.equal(before);
  });
});
