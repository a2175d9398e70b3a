import { htmlLayout, type MailTemplate, PRODUCT_NAME, textLayout } from '@voice/mail';

// No mail quotes anything a user typed (such as the account's name): whoever registers an address that is not
// theirs would otherwise get to write a paragraph of our mail to its owner.

const hours = (value: number) => (value === 1 ? '1 hour' : `${value} hours`);

export function verifyEmailMail(args: { link: string; ttlHours: number }): MailTemplate {
  const paragraphs = [
    `Hello, please confirm that this is your email address for ${PRODUCT_NAME} by opening this link:`,
    `The link works once, within ${hours(args.ttlHours)}. Until you confirm, you can try everything except ` +
      'downloading results. If you did not create an account, ignore this mail.',
  ];
  return {
    subject: `Confirm your email address for ${PRODUCT_NAME}`,
    text: textLayout(paragraphs, args.link),
    html: htmlLayout(paragraphs, { href: args.link, label: 'Confirm my email address' }),
  };
}

/** To the owner of an email someone tried to register again: nothing changed, and here is what to do. */
export function registrationAttemptMail(args: { signInUrl: string }): MailTemplate {
  const paragraphs = [
    `Hello, someone tried to create a ${PRODUCT_NAME} account with this email address. You already ` +
      'have one, so nothing was changed. If it was you, sign in here:',
    'Forgot your password? Choose "Forgot password" when signing in and we will mail you a reset link. ' +
      'If it was not you, you can ignore this mail.',
  ];
  return {
    subject: `Someone tried to sign up to ${PRODUCT_NAME} with your email`,
    text: textLayout(paragraphs, args.signInUrl),
    html: htmlLayout(paragraphs, { href: args.signInUrl, label: 'Sign in' }),
  };
}

export function resetPasswordMail(args: { link: string; ttlMinutes: number }): MailTemplate {
  const paragraphs = [
    `Hello, to choose a new ${PRODUCT_NAME} password, open this link:`,
    `The link works once, within ${args.ttlMinutes} minutes; choosing a new password signs you out everywhere. ` +
      'If you did not ask for this, ignore this mail: your password stays as it is.',
  ];
  return {
    subject: `Reset your ${PRODUCT_NAME} password`,
    text: textLayout(paragraphs, args.link),
    html: htmlLayout(paragraphs, { href: args.link, label: 'Choose a new password' }),
  };
}

/** Sent after a reset, so an owner whose mailbox was used by someone else learns of it. */
export function passwordChangedMail(args: { signInUrl: string }): MailTemplate {
  const paragraphs = [
    `Hello, the password of your ${PRODUCT_NAME} account was just changed with a reset link, and every ` +
      'device was signed out. Sign in with the new password here:',
    'If this was not you, ask for a new reset link right away from the sign-in page, and secure your mailbox.',
  ];
  return {
    subject: `Your ${PRODUCT_NAME} password was changed`,
    text: textLayout(paragraphs, args.signInUrl),
    html: htmlLayout(paragraphs, { href: args.signInUrl, label: 'Sign in' }),
  };
}
