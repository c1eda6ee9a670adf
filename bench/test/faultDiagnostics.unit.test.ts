import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serviceProblems } from '../src/faults/faultDiagnostics.ts';

void describe('what a failed fault group quotes from a service log', () => {
  const line = (time: string, level: string, msg: string, error?: unknown) =>
    JSON.stringify({ time, level, msg, service: 'command-api', ...(error ? { error } : {}) });

  void it('given warnings before and after the group began, info lines and a repeated error, then each distinct message since the start appears once, newest last', () => {
    const lines = [
      line('2026-12-05T10:00:00.000Z', 'error', 'before the group'),
      line('2026-12-05T10:00:02.000Z', 'error', 'sendBatch failed', { message: 'out of order' }),
      line('2026-12-05T10:00:03.000Z', 'info', 'consuming'),
      line('2026-12-05T10:00:04.000Z', 'warn', 'request failed'),
      'not json: a stack trace line',
      line('2026-12-05T10:00:05.000Z', 'error', 'sendBatch failed', { message: 'out of order' }),
    ];

    const quoted = serviceProblems(lines, Date.parse('2026-12-05T10:00:01.000Z'));

    assert.deepEqual(quoted, [
      '2026-12-05T10:00:04.000Z warn request failed',
      '2026-12-05T10:00:05.000Z error sendBatch failed: out of order',
    ]);
  });
});
