export { consoleMailLog, type MailLog, type Mailer, type MailMessage, type MailTemplate } from './mailer';
export { SmtpMailer } from './smtp-mailer';
export { OutboxMailer } from './outbox-mailer';
export { mailerFromEnv, outboxDir, type MailEnv, type MailerOptions } from './mailer-from-env';
export { escapeHtml, htmlLayout, type MailLink, PRODUCT_NAME, textLayout } from './mail-layout';
export { currencyDecimals, formatMinorAmount } from './money';
export { paymentReceiptMail, type PaymentReceiptArgs } from './payment-receipt-mail';
export { webhookDisabledMail, type WebhookDisabledArgs } from './webhook-disabled-mail';
