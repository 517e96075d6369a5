/**
 * Emails in the GOV.UK style: a plain-text part and an HTML part readable without images (system
 * fonts, one column, a black header bar, real links), each with a link to where the work is done
 * and a one-click unsubscribe link, and the RFC 8058 headers that let mail apps offer it.
 */
export interface EmailItem {
  text: string;
  /** Absolute link to the page where it is done. */
  link: string | null;
  done?: boolean;
}

export interface Email {
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

const escape = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const FONT = 'font-family: Arial, Helvetica, sans-serif;';

function html(title: string, body: string, unsubscribe: string, preferences: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escape(title)}</title></head>
<body style="margin:0;padding:0;background:#ffffff;color:#0b0c0c;${FONT}">
<div style="background:#0b0c0c;padding:12px 16px;"><span style="color:#ffffff;font-weight:bold;font-size:20px;${FONT}">Cocommission</span></div>
<div style="border-bottom:8px solid #1d70b8;"></div>
<div style="max-width:580px;padding:16px;font-size:19px;line-height:1.4;${FONT}">
<h1 style="font-size:27px;margin:0 0 16px 0;${FONT}">${escape(title)}</h1>
${body}
<hr style="border:0;border-top:1px solid #b1b4b6;margin:32px 0 16px 0;">
<p style="font-size:16px;color:#505a5f;${FONT}">You get this email because you take part in a commissioning cycle on Cocommission.
<a href="${escape(unsubscribe)}" style="color:#1d70b8;">Unsubscribe from these emails</a> or <a href="${escape(preferences)}" style="color:#1d70b8;">choose a daily digest</a>.</p>
</div></body></html>`;
}

const itemHtml = (item: EmailItem) =>
  `<p style="margin:0 0 8px 0;${FONT}">${escape(item.text)}${item.done ? ' (already done)' : ''}</p>` +
  (item.link ? `<p style="margin:0 0 24px 0;${FONT}"><a href="${escape(item.link)}" style="color:#1d70b8;font-weight:bold;">Open it in Cocommission</a></p>` : '');
const itemText = (item: EmailItem) => `${item.text}${item.done ? ' (already done)' : ''}${item.link ? `\n${item.link}` : ''}`;

function headers(unsubscribe: string): Record<string, string> {
  // RFC 8058: a mail app may POST "List-Unsubscribe=One-Click" to the https link, no sign-in.
  return { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

/** One notification, sent at once. */
export function notificationEmail(name: string, item: EmailItem, links: { unsubscribe: string; preferences: string }): Email {
  const subject = item.text.length > 120 ? `${item.text.slice(0, 117)}…` : item.text;
  return {
    subject,
    text: `Hello ${name},\n\n${itemText(item)}\n\n--\nUnsubscribe from these emails: ${links.unsubscribe}\nChoose a daily digest instead: ${links.preferences}\n`,
    html: html(subject, `<p style="${FONT}">Hello ${escape(name)},</p>${itemHtml(item)}`, links.unsubscribe, links.preferences),
    headers: headers(links.unsubscribe),
  };
}

/** The daily digest: everything new since the last one. */
export function digestEmail(name: string, items: EmailItem[], links: { unsubscribe: string; preferences: string }): Email {
  const open = items.filter((i) => !i.done).length;
  const subject = `Your Cocommission digest: ${items.length} new, ${open} waiting for you`;
  return {
    subject,
    text: `Hello ${name},\n\nSince your last digest:\n\n${items.map(itemText).join('\n\n')}\n\n--\nUnsubscribe from these emails: ${links.unsubscribe}\nChoose immediate emails instead: ${links.preferences}\n`,
    html: html(subject, `<p style="${FONT}">Hello ${escape(name)}, since your last digest:</p>${items.map(itemHtml).join('')}`, links.unsubscribe, links.preferences),
    headers: headers(links.unsubscribe),
  };
}
