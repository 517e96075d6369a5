/** Sending email through the SMTP relay, or not at all when SMTP_URL is unset. */
import type { AppConfig } from '@app/config';
import type { Email } from './email-content';

/** Sends an email through the SMTP relay; null when SMTP_URL is unset (no email is sent). */
export interface Mailer {
  send(to: string, email: Email): Promise<{ messageId: string; response: string }>;
  /** Where mail goes, for the start-up line ("smtp://relay.council.gov.uk:587"), without credentials. */
  readonly target: string;
}

export const MAILER = Symbol('MAILER');

export function createMailer(config: AppConfig): Mailer | null {
  if (!config.mail.smtpUrl) return null;
  // Loaded only where mail is configured (13 MB a process that sends none need not hold).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nodemailer = require('nodemailer') as typeof import('nodemailer');
  const transport = nodemailer.createTransport(config.mail.smtpUrl);
  const url = new URL(config.mail.smtpUrl);
  return {
    target: `${url.protocol}//${url.host}`,
    send: async (to, email) => {
      const info = await transport.sendMail({ from: config.mail.from, to, subject: email.subject, text: email.text, html: email.html, headers: email.headers });
      return { messageId: String(info.messageId), response: String(info.response ?? '') };
    },
  };
}
