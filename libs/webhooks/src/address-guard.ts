/** Keeping webhooks off private networks: URLs checked as written and addresses checked as resolved. */
import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

export class AddressRefused extends Error {}

/** The ports a webhook may name unless private addresses are allowed (https's own, and 80). */
const PUBLIC_PORTS = ['', '443', '80'];

/**
 * Why a webhook URL is refused as written (scheme, credentials, port), or undefined. Only https,
 * on port 443 (or 80), unless private addresses are allowed (one private network, tests), when
 * plain http and any port are too.
 */
export function urlProblem(raw: string, allowPrivate: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL, such as https://partner.example.org/hooks/cocommission';
  }
  if (!allowPrivate) {
    if (url.protocol !== 'https:') return 'must be an https:// URL';
    if (!PUBLIC_PORTS.includes(url.port)) return 'must use port 443 (or 80)';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an https:// (or http://) URL';
  if (url.username || url.password) return 'must not carry a user name or password: the signature proves the sender';
  if (url.hash) return 'must not have a #fragment';
  return undefined;
}

/** A DNS lookup answering only the address checked, in whichever form Node asks for (one address, or all). */
export function pinnedLookup(address: string, family: 4 | 6) {
  return (_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => (options?.all ? callback(null, [{ address, family }]) : callback(null, address, family));
}

/**
 * The address to connect to for a webhook's host, checked (SSRF guard): every address the name
 * resolves to must be public, unless private ones are allowed. Checked when the webhook is
 * registered and again at each delivery, and the delivery connects to the address checked here
 * (a name that later resolves elsewhere cannot redirect it).
 */
export async function checkedAddress(hostname: string, allowPrivate: boolean): Promise<{ address: string; family: 4 | 6 }> {
  const host = hostname.replace(/^\[|\]$/g, '');
  const addresses = ipaddr.isValid(host) ? [{ address: host, family: ipaddr.parse(host).kind() === 'ipv6' ? 6 : 4 }] : await lookup(host, { all: true, verbatim: true });
  if (!addresses.length) throw new AddressRefused(`${hostname} does not resolve`);
  for (const { address } of addresses) {
    // Only globally routed addresses: every special range (private, loopback, link-local, the cloud's
    // metadata, IPv4-mapped and translated forms, reserved blocks) is refused by default.
    const range = ipaddr.process(address).range();
    if (!allowPrivate && range !== 'unicast') {
      throw new AddressRefused(`${hostname} resolves to ${address}, a ${range} address: webhooks go to public addresses only`);
    }
  }
  return { address: addresses[0].address, family: addresses[0].family as 4 | 6 };
}
