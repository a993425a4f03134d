/**
 * The statements the function needs in whichever account it acts in: in its own account they
 * are part of its role's policy; in a member account of an organization they are the member
 * role's whole policy (through StackSets or the member module). Defined once here, so that the
 * two can never grant different things.
 *
 * A statement is present when every switch it requires is on. The central module decides the
 * switches from its policy and inputs (`centralSwitches` in permissions.ts); the member module
 * takes each switch as a bool input, the StackSet templates as a parameter. A new call the
 * function makes in the account it acts on is one entry in ACCOUNT_PERMISSIONS, and, when it
 * depends on a setting (Security Hub findings, say), one entry in ACCOUNT_SWITCHES plus its
 * line in `centralSwitches`; the member module, the StackSets and the READMEs follow. A
 * statement written with a value of the central deployment (the exception tag's key) needs that
 * value: an entry in ACCOUNT_VALUES plus its line in `centralValues`; the member module takes it
 * as a string input (null: not granted), the StackSet templates as a parameter ('': not granted).
 */
import type { StatementBody } from './permissions';

/** The switches a statement may depend on. */
export const ACCOUNT_SWITCHES = {
  enforce: {
    centralWhen: 'the policy\'s mode is not "report"',
    variable: 'enforce',
    parameter: 'Enforce',
    description: 'Grant the revoke calls: true when the central deployment\'s policy mode is "enforce" (the default), false for "report".',
    memberDefault: true,
  },
  restrict: {
    centralWhen: 'the policy\'s action is "restrict"',
    variable: 'restrict',
    parameter: 'Restrict',
    description:
      'Grant the authorize calls of the restrict action: true only when the central deployment\'s policy action is "restrict" (with enforce).',
    memberDefault: false,
  },
  inspectPrefixLists: {
    centralWhen: "the policy's inspect_prefix_lists is not false",
    variable: 'inspect_prefix_lists',
    parameter: 'InspectPrefixLists',
    description:
      "Grant the prefix-list reads (and, with enforce, the removal of offending entries): true unless the central deployment's policy sets inspect_prefix_lists to false.",
    memberDefault: true,
  },
  securityHub: {
    centralWhen: 'security_hub = true',
    variable: 'security_hub',
    parameter: 'SecurityHub',
    description:
      'Grant securityhub:BatchImportFindings, so that the central function imports its findings about this account into its Security Hub: true when the central deployment sets security_hub.',
    memberDefault: false,
  },
} as const;

export type AccountSwitch = keyof typeof ACCOUNT_SWITCHES;

/** The values a statement may be written with; a statement that needs one is present only while it is set. */
export const ACCOUNT_VALUES = {
  exceptionTagKey: {
    centralWhen: 'exception_tag is set and exception_approvers is not empty',
    variable: 'remove_exception_tag_key',
    parameter: 'RemoveExceptionTagKey',
    description:
      "Grant ec2:DeleteTags on this account's security groups for this one tag key (with enforce), so that an exception tag set by someone exception_approvers does not name is removed here too: the central deployment's policy exception_tag, when its exception_approvers is not empty.",
    unset: 'not granted (such a tag is still not honoured, but stays on the group)',
  },
} as const;

export type AccountValue = keyof typeof ACCOUNT_VALUES;

/** Where the statements apply: plain values, Terraform expressions or CloudFormation `${…}` references. */
export interface AccountScope {
  readonly partition: string;
  readonly accountId: string;
  /** Regions the function may change security groups in (`aws:RequestedRegion`). */
  readonly writeRegions: string[];
  /** Each value as this scope spells it; a statement that needs one is written only where it is set. */
  readonly values: Readonly<Record<AccountValue, string>>;
}

export interface AccountPermission<Scope extends AccountScope = AccountScope> {
  /** Every switch that must be on (none: always present). */
  readonly requires: readonly AccountSwitch[];
  /** Every value that must be set (default none). */
  readonly needs?: readonly AccountValue[];
  readonly why: string;
  readonly grant: (scope: Scope) => StatementBody;
}

const securityGroupArns = (s: AccountScope) => [
  `arn:${s.partition}:ec2:*:${s.accountId}:security-group/*`,
  `arn:${s.partition}:ec2:*:${s.accountId}:security-group-rule/*`,
];
const inWriteRegions = (s: AccountScope) => [{ test: 'StringEquals', variable: 'aws:RequestedRegion', values: s.writeRegions }];

/** In the order the policy documents list them. */
export const ACCOUNT_PERMISSIONS = {
  ReadSecurityGroups: {
    requires: [],
    why: 'DescribeSecurityGroupRules tells the direction of a rule changed by ModifySecurityGroupRules and lists the rules the sweep checks; DescribeSecurityGroups reads group names, VPC and tags (exclude_tags). EC2 supports no resource-level permissions for Describe calls, hence "*".',
    grant: () => ({ actions: ['ec2:DescribeSecurityGroupRules', 'ec2:DescribeSecurityGroups'], resources: ['*'] }),
  },
  RevokeSecurityGroupRules: {
    requires: ['enforce'],
    why: 'Revokes the offending rules: security groups and rules of this account, only in the regions whose events reach the function or that it sweeps (aws:RequestedRegion).',
    grant: (s) => ({
      actions: ['ec2:RevokeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress'],
      resources: securityGroupArns(s),
      condition: inWriteRegions(s),
    }),
  },
  AuthorizeRestrictedReplacementRules: {
    requires: ['enforce', 'restrict'],
    why: 'The restrict action adds the offending rule back from each restrict_to CIDR. Not granted otherwise: a function that can open security groups is worth attacking. Same regions as the revoke.',
    grant: (s) => ({
      actions: ['ec2:AuthorizeSecurityGroupEgress', 'ec2:AuthorizeSecurityGroupIngress'],
      resources: securityGroupArns(s),
      condition: inWriteRegions(s),
    }),
  },
  ReadManagedPrefixLists: {
    requires: ['inspectPrefixLists'],
    why: 'DescribeManagedPrefixLists tells who owns a list a rule references (AWS-managed lists are trusted) and its version; GetManagedPrefixListEntries reads what a customer-managed list holds, so that a list holding 0.0.0.0/0 cannot open a group unnoticed. Lists may be shared from other accounts, and Describe calls have no resource-level permissions, hence "*".',
    grant: () => ({ actions: ['ec2:DescribeManagedPrefixLists', 'ec2:GetManagedPrefixListEntries'], resources: ['*'] }),
  },
  RemoveOffendingPrefixListEntries: {
    requires: ['enforce', 'inspectPrefixLists'],
    why: 'Removes exactly the entries of a customer-managed list that open a watched rule, naming the list version it read: prefix lists of this account, in the same regions as the revoke.',
    grant: (s) => ({
      actions: ['ec2:ModifyManagedPrefixList'],
      resources: [`arn:${s.partition}:ec2:*:${s.accountId}:prefix-list/*`],
      condition: inWriteRegions(s),
    }),
  },
  ImportSecurityHubFindings: {
    requires: ['securityHub'],
    why: "Imports the findings about this account into its Security Hub (BatchImportFindings) as the account's own default product, the only product it may write to; nothing else of Security Hub, and only in the regions the function serves (aws:RequestedRegion).",
    grant: (s) => ({
      actions: ['securityhub:BatchImportFindings'],
      resources: [`arn:${s.partition}:securityhub:*:${s.accountId}:product/${s.accountId}/default`],
      condition: inWriteRegions(s),
    }),
  },
  RemoveUnapprovedExceptionTags: {
    requires: ['enforce'],
    needs: ['exceptionTagKey'],
    why: 'Removes an exception tag that someone exception_approvers does not name set: DeleteTags on the security groups of this account, for that tag key only (aws:TagKeys, and never a call without tags, which would delete every tag), in the regions of the revoke.',
    grant: (s) => ({
      actions: ['ec2:DeleteTags'],
      resources: [`arn:${s.partition}:ec2:*:${s.accountId}:security-group/*`],
      condition: [
        { test: 'ForAllValues:StringEquals', variable: 'aws:TagKeys', values: [s.values.exceptionTagKey] },
        { test: 'Null', variable: 'aws:TagKeys', values: ['false'] },
        ...inWriteRegions(s),
      ],
    }),
  },
} as const satisfies Record<string, AccountPermission>;

export type AccountPermissionSid = keyof typeof ACCOUNT_PERMISSIONS;

/** The values a statement needs (none for most). */
export function needsOf(definition: Pick<AccountPermission, 'requires' | 'needs'>): readonly AccountValue[] {
  return definition.needs ?? [];
}

/** "enforce = true and remove_exception_tag_key is set", or the central module's wording, for a README. */
export function whenText(definition: Pick<AccountPermission, 'requires' | 'needs'>, side: 'central' | 'member'): string {
  const switches = definition.requires.map((name) =>
    side === 'central' ? ACCOUNT_SWITCHES[name].centralWhen : `${ACCOUNT_SWITCHES[name].variable} = true`,
  );
  const values = needsOf(definition).map((name) =>
    side === 'central' ? ACCOUNT_VALUES[name].centralWhen : `${ACCOUNT_VALUES[name].variable} is set`,
  );
  const all = [...switches, ...values];
  return all.length === 0 ? 'always' : all.join(' and ');
}
