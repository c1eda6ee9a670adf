import type { LedgerTestEnvironment } from '@ledger/testing';
import { testLogger, testServiceOptions } from '@ledger/testing/testServices';
import { readProjectorConfig } from '../src/config.ts';
import { startProjector, type RunningProjector } from '../src/wiring.ts';

/** A projector of the test's topics and schema, on a free ops port. */
export function startTestProjector(env: LedgerTestEnvironment): Promise<RunningProjector> {
  return startProjector(
    readProjectorConfig(env.env()),
    testLogger,
    testServiceOptions('projector'),
  );
}
