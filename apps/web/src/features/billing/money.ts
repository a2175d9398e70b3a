/**
 * Money as the API sends it: integers in the currency's minor unit (cents for usd, yen for jpy). The only float
 * step is the one division into major units right before Intl formats it, so nothing is ever summed as a float.
 */

/** Digits after the decimal point in `currency`'s minor unit (usd 2, jpy 0, kwd 3), from the browser's ISO data. */
export function currencyFractionDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).resolvedOptions()
      .maximumFractionDigits ?? 2
  );
}

const formatters = new Map<string, Intl.NumberFormat>();

/** One formatter per locale and currency: building them is the costly part of formatting a table of amounts. */
function formatter(currency: string, locale: string | undefined): Intl.NumberFormat {
  const code = currency.toUpperCase();
  const cacheKey = `${locale ?? ''}|${code}`;
  let format = formatters.get(cacheKey);
  if (!format) {
    const digits = currencyFractionDigits(code);
    format = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: code,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    formatters.set(cacheKey, format);
  }
  return format;
}

/** 5000 usd → "$50.00", 500 jpy → "¥500": an amount in minor units, in the reader's locale. */
export function formatMoney(amountMinor: number, currency: string, locale?: string): string {
  const format = formatter(currency, locale);
  return format.format(amountMinor / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
}

/**
 * A per-minute price for comparison (the API's `pricePerMinuteMinor`, a fraction of a minor unit such as 27.78
 * cents), rounded to what the currency can show: "$0.28".
 */
export function formatPerMinute(pricePerMinuteMinor: number, currency: string, locale?: string): string {
  return formatMoney(pricePerMinuteMinor, currency, locale);
}

/** 0.17 → "17%"; undefined for no discount, so nothing is shown. */
export function formatDiscount(discount: number, locale?: string): string | undefined {
  if (!(discount > 0)) return undefined;
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(discount);
}

/** Credit-seconds as users count them: "180 min", "3 min 20 s", "45 s" (as the API's own messages write them). */
export function formatMinutes(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  if (minutes === 0) return `${rest} s`;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}
