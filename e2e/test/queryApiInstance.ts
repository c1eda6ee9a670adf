import type { LedgerTestEnvironment } from '@ledger/testing';
import { queryApiInstanceEnv } from '@ledger/testing/queryApiClient';
import { testLogger, testServiceOptions } from '@ledger/testing/testServices';
import { readQueryApiConfig } from '@ledger/query-api/config';
import { startQueryApi, type RunningQueryApi } from '@ledger/query-api/wiring';

/** A query-api instance with the production wiring, on a free port of 127.0.0.1. */
export const startInstance = (env: LedgerTestEnvironment, name: string): Promise<RunningQueryApi> =>
  startQueryApi(
    readQueryApiConfig(env.env(queryApiInstanceEnv(name))),
    testLogger.child({ instance: name }),
    testServiceOptions(`query-api ${name}`),
  );
