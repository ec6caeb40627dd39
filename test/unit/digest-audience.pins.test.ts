/** Who receives which digest. */
import { describe, expect, it } from 'vitest';
import { digestAudiences } from '../../src/domain/digest-audience.js';
import type { Party } from '../../src/domain/party.js';

const p = (id: string, emails: string[], roles: Party['roles'] = []): Party => ({ id, name: id, kind: 'state', timeZone: 'UTC', contacts: emails.map((email) => ({ name: email, email })), roles });

describe('digestAudiences', () => {
  it('the full digest goes to the co-chairs (by party id) and then the steering group, lower-cased, trimmed, once each', () => {
    const parties = [p('IDN', ['B@Idn.org'], ['co-chair']), p('AUS', ['a@aus.org', ' A@AUS.org '], ['co-chair']), p('LKA', ['l@lka.org'])];
    expect(digestAudiences(parties, { steeringGroup: ['sg@x.org', 'b@idn.org', '  '], partyOptIn: [] })).toEqual({
      audiences: [{ scope: null, recipients: ['a@aus.org', 'b@idn.org', 'sg@x.org'] }],
      unknownParties: [],
    });
  });

  it('with no co-chair and no steering group there is no full digest', () => {
    expect(digestAudiences([p('LKA', ['l@lka.org'])], { steeringGroup: [], partyOptIn: ['LKA'] }).audiences).toEqual([{ scope: 'LKA', recipients: ['l@lka.org'] }]);
  });

  it('an opted-in party gets its own digest, without addresses already served, and none when nothing is left', () => {
    const parties = [p('IDN', ['i@idn.org'], ['co-chair']), p('LKA', ['I@idn.org', 'l@lka.org']), p('THA', ['l@lka.org']), p('AUS', [])];
    expect(digestAudiences(parties, { steeringGroup: [], partyOptIn: ['LKA', 'THA', 'AUS', 'NOPE'] })).toEqual({
      audiences: [
        { scope: null, recipients: ['i@idn.org'] },
        { scope: 'LKA', recipients: ['l@lka.org'] },
      ],
      unknownParties: ['NOPE'],
    });
  });
});
