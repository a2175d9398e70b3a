/**
 * Money as integers in the currency's minor unit, and the decimal strings PayPal speaks. All string arithmetic: a
 * float would turn "0.29" into 28.999999999999996 cents.
 */

/**
 * Currencies without a minor unit, as Stripe lists them (its amounts are our `priceMinor`): 500 JPY is `500`.
 * https://docs.stripe.com/currencies#zero-decimal
 */
const ZERO_DECIMAL = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);

/** Currencies with thousandths (ISO 4217 exponent 3): 1.500 KWD is `1500`. */
const THREE_DECIMAL = new Set(['bhd', 'iqd', 'jod', 'kwd', 'lyd', 'omr', 'tnd']);

/** Decimal places of `currency`'s minor unit (2 for everything not listed above). */
export function currencyExponent(currency: string): number {
  const code = currency.toLowerCase();
  if (ZERO_DECIMAL.has(code)) return 0;
  if (THREE_DECIMAL.has(code)) return 3;
  return 2;
}

/**
 * PayPal takes these in whole units although their ISO minor unit is cents (its currency-codes page: "does not
 * support decimals"), so their amounts must be whole and go out without a fraction.
 */
const PAYPAL_WHOLE_UNITS = new Set(['huf', 'twd', 'jpy']);

export class AmountFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AmountFormatError';
  }
}

/** 5000 usd → "50.00"; 500 jpy → "500"; 1500 kwd → "1.500". */
export function minorToDecimal(amountMinor: number, currency: string): string {
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0) {
    throw new AmountFormatError(`${amountMinor} is not a non-negative integer amount in minor units`);
  }
  const exponent = currencyExponent(currency);
  if (exponent === 0) return String(amountMinor);
  const digits = String(amountMinor).padStart(exponent + 1, '0');
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/**
 * "50.00" usd → 5000; "50" usd → 5000; "1.5" kwd → 1500; "500" jpy → 500. Extra fraction digits are accepted only
 * when they are zeros ("500.00" jpy); anything that would need rounding, or is not a plain decimal, throws.
 */
export function decimalToMinor(value: string, currency: string): number {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!match) throw new AmountFormatError(`${JSON.stringify(value)} is not a decimal amount`);
  const whole = match[1] ?? '';
  const fraction = match[2] ?? '';
  const exponent = currencyExponent(currency);
  if (/[^0]/.test(fraction.slice(exponent))) {
    throw new AmountFormatError(
      `${JSON.stringify(value)} has more than ${exponent} decimal place(s) for ${currency.toUpperCase()}`,
    );
  }
  const minor = BigInt(whole + fraction.slice(0, exponent).padEnd(exponent, '0'));
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) throw new AmountFormatError(`${JSON.stringify(value)} is too large`);
  return Number(minor);
}

/** The `value` PayPal expects for an amount in our minor units ("50.00"; whole units for HUF/TWD/JPY). */
export function minorToPayPalValue(amountMinor: number, currency: string): string {
  const decimal = minorToDecimal(amountMinor, currency);
  if (!PAYPAL_WHOLE_UNITS.has(currency.toLowerCase())) return decimal;
  const [whole, fraction = ''] = decimal.split('.');
  if (/[^0]/.test(fraction)) {
    throw new AmountFormatError(`PayPal takes ${currency.toUpperCase()} in whole units; ${decimal} is not one`);
  }
  return whole ?? decimal;
}
