/**
 * ISO 4217 minor units that are not 2 (amounts travel in minor units, as CreditPackage.priceMinor does). Our own
 * table, not Intl's: ICU follows CLDR, whose display digits differ from ISO for some currencies (IQD, RSD…), and
 * a wrong count here would misstate an amount by a factor of 100.
 */
const MINOR_UNITS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

function currencyCode(currency: string): string {
  if (!/^[A-Za-z]{3}$/.test(currency)) throw new RangeError(`not an ISO 4217 currency code: "${currency}"`);
  return currency.toUpperCase();
}

/** Digits after the decimal point in `currency`'s major unit: 2 for USD, 0 for JPY, 3 for KWD. Any case. */
export function currencyDecimals(currency: string): number {
  return MINOR_UNITS[currencyCode(currency)] ?? 2;
}

/**
 * An integer amount in minor units as people read it, with the currency's symbol where English has an
 * unambiguous one: (5000, 'usd') → "$50.00", (5000, 'jpy') → "¥5,000", (5000, 'cad') → "CA$50.00", else the
 * code ("KWD 5.000"). The decimal is built from integers and handed to Intl as a string, so no float ever
 * rounds a large amount.
 */
export function formatMinorAmount(amountMinor: number, currency: string): string {
  if (!Number.isSafeInteger(amountMinor))
    throw new RangeError(`amount must be an integer of minor units: ${amountMinor}`);
  const code = currencyCode(currency);
  const decimals = currencyDecimals(code);
  const factor = 10 ** decimals;
  const magnitude = Math.abs(amountMinor);
  const fraction = magnitude % factor;
  // Exact: magnitude - fraction is a multiple of factor, so the quotient is an integer a double holds exactly.
  const whole = (magnitude - fraction) / factor;
  const digits = decimals === 0 ? `${whole}` : `${whole}.${String(fraction).padStart(decimals, '0')}`;
  const decimal = `${amountMinor < 0 ? '-' : ''}${digits}` as `${number}`;
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: code,
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  }).format(decimal);
}
