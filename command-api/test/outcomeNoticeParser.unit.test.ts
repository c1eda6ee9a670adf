import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseOutcomeNotices } from '../src/redis/outcomeNoticeParser.ts';

void describe('outcome notices', () => {
  const batch = JSON.stringify([
    { commandId: 'waited', status: 'applied', versions: { alice: 2 }, balances: { alice: '-5' } },
    { commandId: 'other', status: 'rejected', code: 'insufficient_funds' },
    { commandId: 'broken', status: 'applied', versions: { alice: 'two' } },
    'not a notice',
  ]);

  void it("given a batch's notices, when parsed for everyone, then every well-formed one comes back", () => {
    assert.deepEqual(
      parseOutcomeNotices(batch).map((notice) => notice.commandId),
      ['waited', 'other'],
    );
  });

  void it('given a batch of notices, when parsed for one waited command, then only its notice comes back', () => {
    assert.deepEqual(
      parseOutcomeNotices(batch, (commandId) => commandId === 'waited'),
      [
        {
          commandId: 'waited',
          status: 'applied',
          versions: { alice: 2 },
          balances: { alice: '-5' },
        },
      ],
    );
  });

  void it("given an account change's notice, when parsed, then its revision comes with it; a revision below 2 or not a whole number drops the notice", () => {
    const notice = (revision: unknown) =>
      JSON.stringify({ commandId: 'c', status: 'applied', versions: { carol: 1 }, revision });
    assert.deepEqual(parseOutcomeNotices(notice(2)), [
      { commandId: 'c', status: 'applied', versions: { carol: 1 }, revision: 2 },
    ]);
    assert.deepEqual(parseOutcomeNotices(notice(null)), [
      { commandId: 'c', status: 'applied', versions: { carol: 1 } },
    ]);
    for (const bad of [1, 0, 2.5, '3', 2 ** 53]) {
      assert.deepEqual(parseOutcomeNotices(notice(bad)), [], String(bad));
    }
  });

  void it('given a single notice or bad JSON, when parsed, then one notice or none', () => {
    const single = JSON.stringify({ commandId: 'c', status: 'rejected', code: 'account_closed' });
    assert.deepEqual(parseOutcomeNotices(single), [
      { commandId: 'c', status: 'rejected', code: 'account_closed' },
    ]);
    assert.deepEqual(parseOutcomeNotices('{not json'), []);
  });
});
