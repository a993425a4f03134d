/**
 * The prefix-list calls of the EC2 adapter against the SDK (aws-sdk-client-mock): what is sent,
 * what is read back, every page, and EC2's failures as the core sees them.
 */
import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeManagedPrefixListsCommand,
  EC2Client,
  GetManagedPrefixListEntriesCommand,
  ModifyManagedPrefixListCommand,
} from '@aws-sdk/client-ec2';
import { Ec2Adapter } from '../../function/adapters/ec2-adapter';
import { Ec2CallError } from '../../function/core/errors';
import { awsError } from '../helpers/aws-errors';

/** The list of the real console ModifyManagedPrefixList sample. */
const LIST = 'pl-0c3516b0e5630bf3e';

function adapter() {
  const client = new EC2Client({ region: 'us-west-2' });
  return { ec2: mockClient(client), adapter: new Ec2Adapter(client) };
}

describe('Ec2Adapter, managed prefix lists', () => {
  it('describes lists by id, lower-casing the id and keeping owner, name and version', async () => {
    // Prepare
    const { ec2, adapter: port } = adapter();
    ec2.on(DescribeManagedPrefixListsCommand).resolves({
      PrefixLists: [
        { PrefixListId: 'pl-0C3516B0E5630BF3E', PrefixListName: 'admin-ranges', OwnerId: '598274344262', Version: 2 },
        { PrefixListId: 'pl-63a5400a', PrefixListName: 'com.amazonaws.us-west-2.s3', OwnerId: 'AWS' },
      ],
    });

    // Act
    const lists = await port.describePrefixLists([LIST, 'pl-63a5400a']);

    // Assess
    expect(ec2.commandCalls(DescribeManagedPrefixListsCommand)[0]?.args[0].input).to.deep.equal({ PrefixListIds: [LIST, 'pl-63a5400a'] });
    expect(lists).to.deep.equal([
      { prefixListId: LIST, name: 'admin-ranges', ownerId: '598274344262', version: 2 },
      { prefixListId: 'pl-63a5400a', name: 'com.amazonaws.us-west-2.s3', ownerId: 'AWS' },
    ]);
  });

  it('reads every page of the entries at the version asked for', async () => {
    // Prepare
    const { ec2, adapter: port } = adapter();
    ec2
      .on(GetManagedPrefixListEntriesCommand)
      .resolvesOnce({ Entries: [{ Cidr: '10.20.0.0/16', Description: 'office VPN' }], NextToken: 'page-2' })
      .resolvesOnce({ Entries: [{ Cidr: '71.131.0.0/16', Description: 'My IP Range' }, { Cidr: '0.0.0.0/0' }] });

    // Act
    const entries = await port.prefixListEntries({ prefixListId: LIST, version: 2 });

    // Assess
    expect(ec2.commandCalls(GetManagedPrefixListEntriesCommand).map((c) => c.args[0].input)).to.deep.equal([
      { PrefixListId: LIST, TargetVersion: 2, MaxResults: 100 },
      { PrefixListId: LIST, TargetVersion: 2, MaxResults: 100, NextToken: 'page-2' },
    ]);
    expect(entries).to.deep.equal([
      { cidr: '10.20.0.0/16', description: 'office VPN' },
      { cidr: '71.131.0.0/16', description: 'My IP Range' },
      { cidr: '0.0.0.0/0' },
    ]);
  });

  it('removes entries naming the version read, and answers the version EC2 gives back', async () => {
    // Prepare
    const { ec2, adapter: port } = adapter();
    ec2.on(ModifyManagedPrefixListCommand).resolves({ PrefixList: { PrefixListId: LIST, Version: 3, State: 'modify-in-progress' } });

    // Act
    const answer = await port.removePrefixListEntries({ prefixListId: LIST, currentVersion: 2, cidrs: ['71.131.0.0/16'] });

    // Assess
    expect(ec2.commandCalls(ModifyManagedPrefixListCommand)[0]?.args[0].input).to.deep.equal({
      PrefixListId: LIST,
      CurrentVersion: 2,
      RemoveEntries: [{ Cidr: '71.131.0.0/16' }],
    });
    expect(answer).to.deep.equal({ version: 3 });
  });

  it('reports a stale version as EC2 names it, so the core can read the list again', async () => {
    // Prepare
    const { ec2, adapter: port } = adapter();
    ec2.on(ModifyManagedPrefixListCommand).rejects(awsError('PrefixListVersionMismatch', 'client', 400));

    // Act
    const error = await port.removePrefixListEntries({ prefixListId: LIST, currentVersion: 1, cidrs: ['71.131.0.0/16'] }).then(
      () => undefined,
      (e: unknown) => e,
    );

    // Assess
    expect(error).to.be.instanceOf(Ec2CallError);
    expect(error).to.include({ code: 'PrefixListVersionMismatch' });
  });
});
