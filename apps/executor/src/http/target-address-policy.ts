import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { TargetNotAllowedError } from './target-not-allowed.error';

/**
 * Keeps tenants from reaching the executor's own network (SSRF): only globally routable unicast
 * addresses may be called, unless private targets are allowed (development and tests).
 */
export class TargetAddressPolicy {
  constructor(private readonly allowPrivateTargets: boolean) {}

  /** Why `address` (an IP literal) may not be called, or null when it may. */
  refusalForAddress(address: string): string | null {
    if (this.allowPrivateTargets) return null;
    if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
    // process() unwraps IPv4-mapped IPv6 (::ffff:10.0.0.1) so that it is judged as the IPv4 it is.
    const ip = ipaddr.process(address);
    const range = ip.range();
    if (range !== 'unicast') return `${address} is in the ${range} range`;
    if (ip.kind() === 'ipv6' && isIpv4Compatible(ip as ipaddr.IPv6)) return `${address} is an IPv4-compatible address`;
    return null;
  }

  /**
   * Why the URL host may not be called, judged before connecting: Node does not call `lookup` for IP
   * literals. Null for other names, which `lookup` checks once resolved.
   */
  refusalForHost(urlHostname: string): string | null {
    if (this.allowPrivateTargets) return null;
    const host = urlHostname
      .replace(/^\[(.*)\]$/, '$1')
      .replace(/\.$/, '')
      .toLowerCase();
    if (host === 'localhost' || host.endsWith('.localhost')) return `${host} is a loopback name`;
    return ipaddr.isValid(host) ? this.refusalForAddress(host) : null;
  }

  /**
   * A `dns.lookup` for the socket that fails when any resolved address is refused, so the check
   * applies to the address actually connected to (and survives DNS rebinding).
   */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, []);
      if (addresses.length === 0)
        return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      const refusal = addresses.map((a) => this.refusalForAddress(a.address)).find((r) => r !== null);
      if (refusal) return callback(new TargetNotAllowedError(`${hostname} resolves to a refused address: ${refusal}`), []);
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      return callback(null, first.address, first.family);
    });
  };
}

/** ::a.b.c.d, deprecated but not classified by ipaddr.js; ::/128 and ::1 are caught by range() already. */
function isIpv4Compatible(ip: ipaddr.IPv6): boolean {
  return ip.parts.slice(0, 6).every((part) => part === 0);
}
