import { describe, expect, it } from 'vitest';

import {
  currencyFractionDigits,
  formatDiscount,
  formatMinutes,
  formatMoney,
  formatPerMinute,
} from '../src/features/billing/money';

// Intl puts a no-break space between a code and the number in some currencies; compare with plain spaces.
const plain = (text: string) => text.replace(/\s/g, ' ');

describe('money in minor units, formatted exactly', () => {
  it('formats US cents as dollars: 5000 usd is $50.00', () => {
    expect(formatMoney(5000, 'usd', 'en-US')).toBe('$50.00');
    expect(formatMoney(2000, 'USD', 'en-US')).toBe('$20.00');
    expect(formatMoney(1, 'usd', 'en-US')).toBe('$0.01');
    expect(formatMoney(29, 'usd', 'en-US')).toBe('$0.29');
    expect(formatMoney(100_000_000, 'usd', 'en-US')).toBe('$1,000,000.00');
  });

  it('uses each currency’s own minor unit: yen have none, dinars three', () => {
    expect(currencyFractionDigits('usd')).toBe(2);
    expect(currencyFractionDigits('jpy')).toBe(0);
    expect(currencyFractionDigits('kwd')).toBe(3);
    expect(formatMoney(5000, 'jpy', 'en-US')).toBe('¥5,000');
    expect(formatMoney(500, 'jpy', 'ja-JP')).toMatch(/^[¥￥]500$/);
    expect(plain(formatMoney(1234, 'kwd', 'en-US'))).toBe('KWD 1.234');
    expect(formatMoney(5000, 'inr', 'en-IN')).toBe('₹50.00');
    expect(plain(formatMoney(5000, 'eur', 'de-DE'))).toBe('50,00 €');
  });

  it('agrees with string arithmetic on cents for many amounts (no float drift)', () => {
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 5000; i++) {
      const cents = next() % 1_000_000_000;
      const expected = `${Math.floor(cents / 100).toLocaleString('en-US')}.${String(cents % 100).padStart(2, '0')}`;
      expect(formatMoney(cents, 'usd', 'en-US')).toBe(`$${expected}`);
    }
  });

  it('shows the per-minute price rounded to what the currency can show', () => {
    // The API's pricePerMinuteMinor: 5000 cents / 180 min = 27.78 cents.
    expect(formatPerMinute(27.78, 'usd', 'en-US')).toBe('$0.28');
    expect(formatPerMinute(33.33, 'usd', 'en-US')).toBe('$0.33');
    expect(formatPerMinute(25, 'usd', 'en-US')).toBe('$0.25');
    expect(formatPerMinute(27.78, 'jpy', 'en-US')).toBe('¥28');
  });

  it('writes the discount as a percentage, and nothing for none', () => {
    expect(formatDiscount(0.17, 'en-US')).toBe('17%');
    expect(formatDiscount(0.25, 'en-US')).toBe('25%');
    expect(formatDiscount(0, 'en-US')).toBeUndefined();
  });

  it('writes credit-seconds as minutes the way the API’s messages do', () => {
    expect(formatMinutes(10_800)).toBe('180 min');
    expect(formatMinutes(1_500)).toBe('25 min');
    expect(formatMinutes(200)).toBe('3 min 20 s');
    expect(formatMinutes(45)).toBe('45 s');
  });
});
