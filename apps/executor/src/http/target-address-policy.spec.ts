import { TargetAddressPolicy } from './target-address-policy';

describe('TargetAddressPolicy', () => {
  const policy = new TargetAddressPolicy(false);

  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.1', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fd00::1', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'linkLocal'],
    ['64:ff9b::a00:1', 'rfc6052'],
    ['2001:db8::1', 'reserved'],
  ])('refuses %s (%s)', (address, range) => {
    expect(policy.refusalForAddress(address)).toContain(range);
  });

  it('refuses IPv4-compatible IPv6 addresses', () => {
    expect(policy.refusalForAddress('::7f00:1')).toContain('IPv4-compatible');
  });

  it.each(['8.8.8.8', '93.184.216.34', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'allows the public address %s',
    (address) => {
      expect(policy.refusalForAddress(address)).toBeNull();
    },
  );

  it.each(['localhost', 'LOCALHOST', 'localhost.', 'api.localhost', '127.0.0.1', '[::1]', '[::ffff:7f00:1]', '10.0.0.8'])(
    'refuses the URL host %s before connecting',
    (host) => {
      expect(policy.refusalForHost(host)).not.toBeNull();
    },
  );

  it('leaves other host names to the resolved-address check', () => {
    expect(policy.refusalForHost('api.example.com')).toBeNull();
    expect(policy.refusalForHost('8.8.8.8')).toBeNull();
  });

  it('allows everything when private targets are allowed', () => {
    const permissive = new TargetAddressPolicy(true);

    expect(permissive.refusalForAddress('127.0.0.1')).toBeNull();
    expect(permissive.refusalForAddress('169.254.169.254')).toBeNull();
    expect(permissive.refusalForHost('localhost')).toBeNull();
  });
});
