import { expect } from 'chai';
import { EC2_DESCRIPTION_LIMIT, restrictDescription } from '../../function/core/act/restrict-description';

const AT = new Date('2026-11-27T10:00:00.000Z');
/** EC2's character set for VPC security-group rule descriptions. */
const EC2_DESCRIPTION = /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]*$/;

describe('restrict description', () => {
  it('says what was replaced, by whom and when', () => {
    // Act
    const text = restrictDescription('0.0.0.0/0', 'arn:aws:iam::111122223333:user/alice', AT);

    // Assess
    expect(text).to.equal('sg-sentry: replaced 0.0.0.0/0 (by arn:aws:iam::111122223333:user/alice, 2026-11-27T10:00:00Z)');
    expect(text).to.match(EC2_DESCRIPTION);
  });

  it('shortens a long ARN in the middle and keeps the prefix, the CIDR, the user and the time', () => {
    // Prepare: IAM user paths may be up to 512 characters.
    const arn = `arn:aws:iam::111122223333:user/${'team/'.repeat(90)}alice`;

    // Act
    const text = restrictDescription('::/0', arn, AT);

    // Assess
    expect(text).to.have.length(EC2_DESCRIPTION_LIMIT);
    expect(text).to.match(
      /^sg-sentry: replaced ::\/0 \(by arn:aws:iam::111122223333:user\/team\/.*\.\.\..*\/alice, 2026-11-27T10:00:00Z\)$/,
    );
    expect(text).to.match(EC2_DESCRIPTION);
  });

  it('replaces characters EC2 rejects, whatever the event carried', () => {
    const text = restrictDescription('0.0.0.0/0', 'arn:aws:sts::111122223333:assumed-role/ops/ałice?"<x>\n', AT);

    expect(text).to.equal(
      'sg-sentry: replaced 0.0.0.0/0 (by arn:aws:sts::111122223333:assumed-role/ops/a_ice___x__, 2026-11-27T10:00:00Z)',
    );
  });

  it('leaves the time out when none is given', () => {
    expect(restrictDescription('0.0.0.0/0', 'sg-sentry sweep')).to.equal('sg-sentry: replaced 0.0.0.0/0 (by sg-sentry sweep)');
  });
});
