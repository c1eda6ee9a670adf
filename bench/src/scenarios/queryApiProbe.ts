import { requestJson } from '../load/httpJson.ts';

/**
 * Whether query-api serves balances yet (it is being written in parallel): a GET of an account the
 * ledger has must answer 200 with a balance. Otherwise the reason, which the report prints as
 * "not measured yet".
 */
export async function queryApiServesBalances(
  queryApiUrl: string,
  accountId: string,
): Promise<string | undefined> {
  try {
    const response = await requestJson('GET', `${queryApiUrl}/v1/accounts/${accountId}/balance`);
    const body = response.body as { balance?: unknown } | undefined;
    if (response.status === 200 && typeof body?.balance === 'string') return undefined;
    return `query API answered GET /v1/accounts/{id}/balance with HTTP ${response.status}, not a balance`;
  } catch (error) {
    return `query API unreachable: ${(error as Error).message}`;
  }
}
