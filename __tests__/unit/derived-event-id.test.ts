/**
 * The id of a record without `eventID`, from the real abridged ModifyManagedPrefixList sample
 * (the one public sample, which has none).
 */
import { expect } from 'chai';
import { derivedEventId } from '../../function/core/event/derived-event-id';
import { fixture } from '../helpers/fixtures';

const SAMPLE = 'modify-managed-prefix-list-add-entry-console-abridged';

describe('derived event ids', () => {
  it('is the same for the same record whatever the order of its keys', () => {
    // Prepare
    const record = fixture(SAMPLE);
    const reordered = Object.fromEntries(Object.entries(record).reverse());

    // Act
    const ids = [derivedEventId(record), derivedEventId(reordered)];

    // Assess
    expect(ids[0]).to.match(/^derived-[0-9a-f]{32}$/);
    expect(ids[1]).to.equal(ids[0]);
  });

  it('gives a record holding a BigInt (a direct invoke with a JavaScript value) an id instead of throwing, unlike the same number', () => {
    // Prepare
    const withBigInt = { ...fixture(SAMPLE), eventVersion: 108n };
    const withNumber = { ...fixture(SAMPLE), eventVersion: 108 };

    // Act
    const id = derivedEventId(withBigInt);

    // Assess
    expect(id).to.match(/^derived-[0-9a-f]{32}$/);
    expect(id).to.not.equal(derivedEventId(withNumber));
  });
});
