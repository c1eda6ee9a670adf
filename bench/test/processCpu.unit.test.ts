import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cpuMicrosPerResponse,
  procCpuSeconds,
  procStatCpuTicks,
} from '../src/metrics/processCpu.ts';
import { cpuPerRequestNote } from '../src/report/figures.ts';
import { formatMicros } from '../src/report/stats.ts';

void describe('server CPU per request', () => {
  void it('given a /proc stat line whose command holds spaces and parentheses, then utime + stime are summed from the right fields', () => {
    const line =
      '4242 (node (my) srv) S 1 4242 4242 0 -1 4194560 1200 0 3 0 731 264 0 0 20 0 11 0 9000 1 2';
    assert.equal(procStatCpuTicks(line), 731 + 264);
  });

  void it('given something that is not a stat line, then it throws rather than read garbage', () => {
    assert.throws(() => procStatCpuTicks('not a stat line'), /not a \/proc/);
  });

  void it('given readings around a run, then CPU per response is in microseconds, and undefined when it cannot be told', () => {
    assert.equal(cpuMicrosPerResponse(10, 10.5, 12_500), 40);
    assert.equal(cpuMicrosPerResponse(undefined, 10.5, 12_500), undefined);
    assert.equal(cpuMicrosPerResponse(10, undefined, 12_500), undefined);
    assert.equal(cpuMicrosPerResponse(10, 10.5, 0), undefined);
    assert.equal(cpuMicrosPerResponse(10.5, 10, 100), undefined, 'a restarted process');
    assert.equal(formatMicros(37.94), '37.9 µs');
    assert.equal(formatMicros(undefined), '—');
  });

  void it('given this process, then its CPU time reads from /proc; given no pid, then nothing', async () => {
    const seconds = await procCpuSeconds(process.pid)();
    assert.ok(seconds !== undefined && seconds > 0, `read ${String(seconds)}`);
    assert.equal(await procCpuSeconds(undefined)(), undefined);
  });
});

void describe('the CPU note beside cached ÷ bare', () => {
  const round = (bareCpuMicros: number | undefined, cachedCpuMicros: number | undefined) => ({
    bare: 1,
    dbOnly: 1,
    cached: 1,
    bareCpuMicros,
    cachedCpuMicros,
  });

  void it('given three rounds, then each round is listed and the equal-CPU figure is the median of the per-round ratios', () => {
    const note = cpuPerRequestNote([round(62.7, 67.3), round(44.9, 67.3), round(38.5, 44.6)]);
    assert.equal(
      note,
      '; server CPU per request by round, cached vs bare: 67.3 µs vs 62.7 µs, 67.3 µs vs 44.9 µs, ' +
        '44.6 µs vs 38.5 µs, so on equal CPU 0.86× of bare (median)',
    );
  });

  void it('given no round with both readings, then there is no note', () => {
    assert.equal(cpuPerRequestNote([round(undefined, 40), round(38, undefined)]), '');
  });
});
