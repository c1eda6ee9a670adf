import { LedgerError } from '@ledger/runtime';
import { currencyPattern } from '@ledger/schemas';
import { jsonTypeOf } from './amountParser.ts';

/**
 * Active ISO 4217 alphabetic codes of circulating currencies (List One, 2025 edition: ZWG
 * replaced ZWL, SLE replaced SLL, XCG joins ANG during the Caribbean guilder transition; HRK,
 * CUC and the other withdrawn codes are gone). Deliberately left out: precious metals (XAU, XAG,
 * XPD, XPT), bond-market units (XBA–XBD), XDR, XSU, XUA, fund codes (BOV, CHE, CHW, CLF, COU,
 * MXV, USN, UYI, UYW) and the testing/no-currency codes (XTS, XXX): a ledger account holds money.
 * A shape check alone ("three uppercase letters") would let a typo such as "UDS" open an
 * account in a currency that no counterparty can ever match.
 */
export const activeCurrencyCodes: ReadonlySet<string> = new Set(
  (
    'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BRL BSD BTN BWP ' +
    'BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP ' +
    'GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES ' +
    'KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU ' +
    'MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON ' +
    'RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND ' +
    'TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ' +
    'ZMW ZWG'
  ).split(' '),
);

export function parseCurrency(value: unknown, field: string): string {
  if (typeof value !== 'string') {
    throw new LedgerError(
      'invalid_request',
      `${field} must be a string, not a JSON ${jsonTypeOf(value)}`,
    );
  }
  if (!currencyPattern.test(value) || !activeCurrencyCodes.has(value)) {
    throw new LedgerError(
      'invalid_request',
      `${field} must be an active ISO 4217 alphabetic code such as USD, EUR or VND`,
    );
  }
  return value;
}
