/**
 * The SSRF guard of webhook endpoints: a channel names a URL and the API posts to it, so a
 * channel must not be able to make the API call into its own network (the database, an admin
 * port on loopback, a cloud metadata service). A target is refused unless every address its
 * host resolves to is a public unicast address, or lies in a network the operator allowed
 * explicitly (`allow`: the demo storefront and the tests run on 127.0.0.1).
 *
 * The check runs at registration (a clear 422) and again at every delivery, inside the
 * connection's own DNS lookup: the address checked is the address connected to, so a name
 * that resolved to a public address at registration and to 127.0.0.1 later (DNS rebinding)
 * is refused. Redirects are never followed (a 3xx is a failed delivery).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** Resolves a host name to every address it has (node's `dns.lookup` with `all: true` by default). */
export type Resolve = (host: string) => Promise<LookupAddress[]>;

export type TargetGuardOptions = {
  /** Networks a webhook may target although they are not public, as CIDRs (`127.0.0.0/8`, `::1/128`). Empty by default. */
  allow?: readonly string[];
  /** The resolver (tests pass a fake to prove rebinding is caught). */
  resolve?: Resolve;
};

/** Networks that are never a public receiver, with the reason a refusal names. */
const NOT_PUBLIC: readonly [string, number, 'ipv4' | 'ipv6', string][] = [
  ['0.0.0.0', 8, 'ipv4', 'this network (0.0.0.0/8)'],
  ['10.0.0.0', 8, 'ipv4', 'a private network (10.0.0.0/8)'],
  ['100.64.0.0', 10, 'ipv4', 'carrier-grade NAT (100.64.0.0/10)'],
  ['127.0.0.0', 8, 'ipv4', 'loopback (127.0.0.0/8)'],
  ['169.254.0.0', 16, 'ipv4', 'link-local, where cloud metadata services live (169.254.0.0/16)'],
  ['172.16.0.0', 12, 'ipv4', 'a private network (172.16.0.0/12)'],
  ['192.0.0.0', 24, 'ipv4', 'IETF protocol assignments (192.0.0.0/24)'],
  ['192.0.2.0', 24, 'ipv4', 'documentation (192.0.2.0/24)'],
  ['192.168.0.0', 16, 'ipv4', 'a private network (192.168.0.0/16)'],
  ['198.18.0.0', 15, 'ipv4', 'benchmarking (198.18.0.0/15)'],
  ['198.51.100.0', 24, 'ipv4', 'documentation (198.51.100.0/24)'],
  ['203.0.113.0', 24, 'ipv4', 'documentation (203.0.113.0/24)'],
  ['224.0.0.0', 4, 'ipv4', 'multicast (224.0.0.0/4)'],
  ['240.0.0.0', 4, 'ipv4', 'reserved or broadcast (240.0.0.0/4)'],
  ['::', 128, 'ipv6', 'the unspecified address (::)'],
  ['::1', 128, 'ipv6', 'loopback (::1)'],
  // IPv4-compatible, NAT64 and 6to4 addresses carry an IPv4 address inside: checked as that address below.
  ['100::', 64, 'ipv6', 'discard-only (100::/64)'],
  ['2001:db8::', 32, 'ipv6', 'documentation (2001:db8::/32)'],
  ['fc00::', 7, 'ipv6', 'a unique-local network, where some metadata services live (fc00::/7)'],
  ['fe80::', 10, 'ipv6', 'link-local (fe80::/10)'],
  ['fec0::', 10, 'ipv6', 'site-local (fec0::/10)'],
  ['ff00::', 8, 'ipv6', 'multicast (ff00::/8)'],
];

/** An IPv4 address carried inside an IPv6 one (mapped, compatible, NAT64 64:ff9b::/96, 6to4 2002::/16), or undefined. */
export function embeddedIpv4(v6: string): string | undefined {
  const words = expandIpv6(v6);
  if (!words) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zeros = (n: number) => words.slice(0, n).every((w) => w === 0);
  if (zeros(5) && words[5] === 0xffff) return v4(words[6] ?? 0, words[7] ?? 0);
  if (zeros(6) && ((words[6] ?? 0) !== 0 || (words[7] ?? 0) > 1)) return v4(words[6] ?? 0, words[7] ?? 0);
  if (words[0] === 0x64 && words[1] === 0xff9b && words.slice(2, 6).every((w) => w === 0)) return v4(words[6] ?? 0, words[7] ?? 0);
  if (words[0] === 0x2002) return v4(words[1] ?? 0, words[2] ?? 0);
  return undefined;
}

/** The eight 16-bit words of an IPv6 address (a trailing dotted IPv4 part allowed), or undefined. */
function expandIpv6(addr: string): number[] | undefined {
  let a = addr.replace(/^\[|\]$/g, '').split('%')[0] ?? '';
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  if (dotted) {
    const [b0, b1, b2, b3] = dotted.slice(1).map(Number) as [number, number, number, number];
    a = `${a.slice(0, dotted.index)}${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const [head, tail, ...rest] = a.split('::');
  if (rest.length > 0) return undefined;
  const part = (s: string | undefined) => (s ? s.split(':').map((w) => parseInt(w, 16)) : []);
  const h = part(head);
  const t = part(tail);
  const words = tail === undefined ? h : [...h, ...Array<number>(Math.max(0, 8 - h.length - t.length)).fill(0), ...t];
  return words.length === 8 && words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff) ? words : undefined;
}

/** A refused target: why, in words a channel's developer can act on. */
export class TargetRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetRefused';
  }
}

/** Decides which addresses a webhook may reach, and posts to them. */
export class TargetGuard {
  private readonly denied: { list: BlockList; why: string }[];
  private readonly allowed = new BlockList();
  readonly allow: readonly string[];
  private readonly resolve: Resolve;

  constructor(opts: TargetGuardOptions = {}) {
    this.allow = opts.allow ?? [];
    this.denied = NOT_PUBLIC.map(([net, prefix, type, why]) => {
      const list = new BlockList();
      list.addSubnet(net, prefix, type);
      return { list, why };
    });
    for (const cidr of this.allow) {
      const [net, bits] = cidr.trim().split('/');
      const type = isIP(net ?? '');
      const prefix = bits === undefined ? (type === 6 ? 128 : 32) : Number(bits);
      if (!type || !Number.isInteger(prefix) || prefix < 0 || prefix > (type === 6 ? 128 : 32))
        throw new Error(`webhook allow-list: "${cidr}" is not an IP network such as 127.0.0.0/8 or ::1/128`);
      this.allowed.addSubnet(net as string, prefix, type === 6 ? 'ipv6' : 'ipv4');
    }
    this.resolve =
      opts.resolve ??
      ((host) =>
        new Promise((resolve, reject) => dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)))));
  }

  /** Why `address` (an IP literal) may not be a webhook target, or undefined when it may. */
  refusal(address: string): string | undefined {
    const family = isIP(address);
    if (family === 0) return `${address} is not an IP address`;
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (this.allowed.check(address, type)) return undefined;
    if (family === 6) {
      const inner = embeddedIpv4(address);
      if (inner !== undefined) {
        const why = this.refusal(inner);
        return why === undefined ? undefined : `${address} carries ${inner}: ${why}`;
      }
    }
    const hit = this.denied.find((d) => d.list.check(address, type));
    return hit ? `${address} is ${hit.why}` : undefined;
  }

  /** Every address of `host` (an IP literal is itself), each checked; throws TargetRefused naming the first refused one. */
  async addresses(host: string): Promise<LookupAddress[]> {
    const bare = host.replace(/^\[|\]$/g, '');
    let found: LookupAddress[];
    if (isIP(bare)) found = [{ address: bare, family: isIP(bare) }];
    else {
      try {
        found = await this.resolve(bare);
      } catch (err) {
        throw new TargetRefused(`${bare} does not resolve (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
      if (found.length === 0) throw new TargetRefused(`${bare} does not resolve`);
    }
    for (const a of found) {
      const why = this.refusal(a.address);
      if (why !== undefined)
        throw new TargetRefused(`${bare === a.address ? '' : `${bare} resolves to ${a.address}: `}${why}; webhooks reach public addresses only`);
    }
    return found;
  }

  /** Checks a URL a channel registers: http(s), and a host whose every address is allowed now. */
  async checkUrl(url: string): Promise<void> {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TargetRefused('a webhook URL is http or https');
    await this.addresses(u.hostname);
  }

  /** The connection's DNS lookup: resolves through the guard, so the address connected to is the one checked. */
  private readonly lookup: LookupFunction = (hostname, options, callback) => {
    this.addresses(hostname).then(
      (found) => {
        const wanted = options.family === 4 || options.family === 6 ? found.filter((a) => a.family === options.family) : found;
        if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, wanted);
        const first = wanted[0];
        if (!first) return callback(Object.assign(new Error(`${hostname} has no IPv${options.family} address`), { code: 'ENOTFOUND' }), '', 0);
        callback(null, first.address, first.family);
      },
      (err: Error) => callback(err as NodeJS.ErrnoException, '', 0),
    );
  };

  /**
   * POSTs `body` to `url` through the guard and answers the status code. No redirect is
   * followed; an IP literal is checked before connecting (node does not look one up).
   */
  async post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number> {
    const u = new URL(url);
    const bare = u.hostname.replace(/^\[|\]$/g, '');
    if (isIP(bare)) await this.addresses(bare);
    const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<number>((resolve, reject) => {
      const req = request(
        u,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          lookup: this.lookup,
          signal: AbortSignal.timeout(timeoutMs),
        },
        (res: IncomingMessage) => {
          // The status is the answer; the body is never read, so a receiver cannot make the API hold or wait for a large one.
          resolve(res.statusCode ?? 0);
          res.destroy();
        },
      );
      req.on('error', (err: Error) => {
        if (err.name === 'AbortError') reject(Object.assign(new Error(`timed out after ${timeoutMs} ms`), { name: 'TimeoutError' }));
        else reject(err);
      });
      req.end(body);
    });
  }
}
