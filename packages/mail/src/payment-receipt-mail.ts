import { htmlLayout, PRODUCT_NAME, textLayout } from './mail-layout';
import type { MailMessage } from './mailer';
import { formatMinorAmount } from './money';

export interface PaymentReceiptArgs {
  to: string;
  /** The account's name, for the greeting. */
  name: string;
  /** The credit package as sold ("Pro"). */
  packageName: string;
  /** Minutes of credit the payment granted. */
  minutes: number;
  /** What was paid, in the currency's minor unit (cents), as the payment row holds it. */
  amountMinor: number;
  /** ISO 4217, any case ("usd"). */
  currency: string;
  /** Our payment id: the reference to quote about this payment. */
  paymentId: string;
  /** The balance after the grant, in credit-seconds (the ledger's unit). */
  creditsBalance: number;
  /** The web app's billing page (payments and balance). */
  billingUrl: string;
}

/** The longest account name a greeting quotes; the rest is cut (see paymentReceiptMail). */
const MAX_NAME_IN_GREETING = 60;

const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? '' : 's'}`;

/** Credit-seconds as minutes, with the seconds only when there are any: "190 minutes", "12 minutes 5 seconds". */
function creditsAsMinutes(seconds: number): string {
  const rest = seconds % 60;
  const minutes = (seconds - rest) / 60;
  if (minutes === 0) return plural(rest, 'second');
  return rest === 0 ? plural(minutes, 'minute') : `${plural(minutes, 'minute')} ${plural(rest, 'second')}`;
}

function greetingName(name: string): string {
  // One line, and short: a name with line breaks would start paragraphs of its own in our mail.
  const flat = name.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_NAME_IN_GREETING ? `${flat.slice(0, MAX_NAME_IN_GREETING - 1).trimEnd()}…` : flat;
}

function requireCount(value: number, what: string, min: number): void {
  if (!Number.isSafeInteger(value) || value < min)
    throw new RangeError(`${what} must be an integer >= ${min}: ${value}`);
}

/**
 * The receipt mailed once a payment's credits are granted (PaymentEventOutcome.sendReceipt). Unlike the account
 * mails it quotes something a user typed, the account's name: in the greeting only, on one line, at most 60
 * characters, so whoever signs up with someone else's address and pays gets no more than that into our mail.
 */
export function paymentReceiptMail(args: PaymentReceiptArgs): MailMessage {
  requireCount(args.minutes, 'minutes', 1);
  requireCount(args.creditsBalance, 'creditsBalance', 0);
  const amount = formatMinorAmount(args.amountMinor, args.currency);
  const code = args.currency.toUpperCase();
  const name = greetingName(args.name);
  const paragraphs = [
    `Hello${name ? ` ${name}` : ''}, thank you for your payment. ${plural(args.minutes, 'minute')} of credit ` +
      `${args.minutes === 1 ? 'was' : 'were'} added to your ${PRODUCT_NAME} account. Your payments and balance ` +
      'are on your billing page:',
    [
      `Package: ${args.packageName} (${plural(args.minutes, 'minute')})`,
      // The code too where the symbol alone could be read as another dollar or yen.
      `Amount paid: ${amount.includes(code) ? amount : `${amount} (${code})`}`,
      `Payment reference: ${args.paymentId}`,
      `Credit balance now: ${creditsAsMinutes(args.creditsBalance)}`,
    ].join('\n'),
    'Keep this mail as your receipt, and quote the payment reference if you contact us about this payment.',
  ];
  return {
    to: args.to,
    subject: `Your ${PRODUCT_NAME} receipt: ${args.packageName}, ${amount}`,
    text: textLayout(paragraphs, args.billingUrl),
    html: htmlLayout(paragraphs, { href: args.billingUrl, label: 'Open billing' }),
  };
}
