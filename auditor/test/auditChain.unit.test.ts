import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextChainLink, type LedgerEvent } from '@ledger/schemas';
import { defaultAuditLimits } from '../src/auditLimits.ts';
import {
  checkEvent,
  createAuditState,
  findChainGap,
  finishAudit,
  type AuditInput,
  type ChainAnchor,
} from '../src/auditState.ts';
import { handBuiltLog, withPayload } from './handBuiltLog.ts';

function audit(inputs: readonly AuditInput[], anchors?: ReadonlyMap<number, ChainAnchor>) {
  const state = createAuditState(defaultAuditLimits, anchors);
  for (const input of inputs) {
    const result = checkEvent(state, input);
    if (result.outcome !== 'ok') return result;
  }
  return finishAudit(state);
}

/** Two chains: partition 0 (funding, bob) and partition 1 (alice); a rejection in the middle. */
function chainedLog() {
  const log = handBuiltLog('audit-test.events', { chained: true });
  log.open('funding', { overdraft: 1_000_000n });
  log.open('bob');
  log.open('alice', { partition: 1 });
  log.post('t-1', 'funding', 'alice', 500n);
  log.reject('t-2', 'funding', 'bob', 5_000_000n);
  log.post('t-3', 'funding', 'bob', 50n);
  log.post('t-4', 'alice', 'bob', 20n);
  return log;
}

/** The same events linked again from scratch: what a writer who rewrites the log would do. */
function relinked(inputs: readonly AuditInput[]): AuditInput[] {
  const heads = new Map<number, NonNullable<LedgerEvent['chain']>>();
  return inputs.map((input) => {
    const { chain: old, ...content } = input.event;
    assert.ok(old);
    const link = nextChainLink(old.chain, heads.get(old.chain), content);
    heads.set(old.chain, link);
    return { ...input, event: { ...content, chain: link } };
  });
}

describe('auditor core: the hash chain', () => {
  it('given a correctly chained log, when checked, then it passes and the summary names each chain’s head', () => {
    const log = chainedLog();
    const result = audit(log.inputs);
    assert.ok(result.outcome === 'ok', JSON.stringify(result));
    const last0 = log.inputs.filter((i) => i.position.partition === 0).at(-1)?.event.chain;
    assert.deepEqual(result.chains.heads['0'], { sequence: 5, hash: last0?.hash });
    assert.equal(result.chains.heads['1']?.sequence, 2);
    assert.equal(result.chains.unchainedEvents, 0);
  });

  it('given an event edited after it was linked, when checked, then chain_hash_mismatch names it', () => {
    const log = chainedLog();
    const edited = withPayload(
      log.inputs[4]!,
      (payload) => ({ ...payload, code: 'account_closed' }) as typeof payload,
    );
    const inputs = log.inputs.map((input, index) => (index === 4 ? edited : input));
    const result = audit(inputs);
    assert.ok(result.outcome === 'violation', JSON.stringify(result));
    assert.equal(result.violation.kind, 'chain_hash_mismatch');
    assert.equal(result.violation.event?.eventId, edited.event.eventId);
  });

  it('given an event dropped from the log, when the run ends, then chain_gap names the link after it', () => {
    const log = chainedLog();
    const dropped = log.inputs[4]!; // the rejection: balances alone would not notice
    const result = audit(log.inputs.filter((input) => input !== dropped));
    assert.ok(result.outcome === 'violation', JSON.stringify(result));
    assert.equal(result.violation.kind, 'chain_gap');
    assert.equal(result.violation.event?.eventId, log.inputs[5]?.event.eventId);
  });

  it('given links of one chain read out of order, when checked, then the later one waits and the log passes', () => {
    const log = chainedLog();
    const inputs = [...log.inputs];
    [inputs[4], inputs[5]] = [inputs[5]!, inputs[4]!];
    const result = audit(inputs);
    assert.ok(result.outcome === 'ok', JSON.stringify(result));
  });

  it('given another event at a sequence already read, when checked, then chain_broken', () => {
    const log = chainedLog();
    const original = log.inputs[4]!;
    const { chain: link, ...content } = original.event;
    assert.ok(link);
    const before = log.inputs[3]!.event.chain; // its predecessor in chain 0
    assert.ok(before && before.chain === link.chain);
    const impostor = { ...content, eventId: 'evt-impostor' };
    const forged = {
      ...original,
      event: { ...impostor, chain: nextChainLink(link.chain, before, impostor) },
    };
    const result = audit([...log.inputs, forged]);
    assert.ok(result.outcome === 'violation', JSON.stringify(result));
    assert.equal(result.violation.kind, 'chain_broken');
  });

  it('given a log rewritten without one event and linked again, when anchored to an earlier audit, then chain_anchor_mismatch', () => {
    const log = chainedLog();
    const first = audit(log.inputs);
    assert.ok(first.outcome === 'ok');
    const anchors = new Map(
      Object.entries(first.chains.heads).map(([chain, head]) => [Number(chain), head]),
    );
    const rewritten = relinked(log.inputs.filter((_input, index) => index !== 4));
    assert.equal(audit(rewritten).outcome, 'ok', 'a consistent rewrite passes on its own');
    const result = audit(rewritten, anchors);
    assert.ok(result.outcome === 'violation', JSON.stringify(result));
    assert.equal(result.violation.kind, 'chain_anchor_mismatch');
  });

  it('given the untouched log, when anchored to an earlier audit of a prefix of it, then it passes', () => {
    const log = chainedLog();
    const prefix = audit(log.inputs.slice(0, 4));
    assert.ok(prefix.outcome === 'ok', JSON.stringify(prefix));
    const anchors = new Map(
      Object.entries(prefix.chains.heads).map(([chain, head]) => [Number(chain), head]),
    );
    assert.equal(audit(log.inputs, anchors).outcome, 'ok');
  });

  it('given events written before chains existed, when checked, then they are counted as unchained', () => {
    const result = audit(unchainedLog());
    assert.ok(result.outcome === 'ok', JSON.stringify(result));
    assert.equal(result.chains.unchainedEvents, 2);
  });
});

function unchainedLog(): AuditInput[] {
  const log = handBuiltLog();
  log.open('a');
  log.open('b');
  return log.inputs;
}

describe('auditor core: chain gaps while following', () => {
  it('given a link waiting for a dropped predecessor, when asked before and after the wait, then the gap is named only once the link is old enough', () => {
    const log = chainedLog();
    const state = createAuditState(defaultAuditLimits);
    const inputs = log.inputs.filter((_input, index) => index !== 4);
    for (const input of inputs) assert.equal(checkEvent(state, input).outcome, 'ok');
    const held = inputs[4]!; // chain 0's link 5, read at receivedAtMs = its event number
    assert.equal(findChainGap(state, held.receivedAtMs), undefined, 'read too recently');
    const gap = findChainGap(state, held.receivedAtMs + 1);
    assert.ok(gap?.outcome === 'violation');
    assert.equal(gap.violation.kind, 'chain_gap');
    assert.equal(gap.violation.event?.eventId, held.event.eventId);
  });
});
