import type { LookupAddress, LookupOptions } from 'node:dns';
import { TargetAddressPolicy } from './target-address-policy';

/** Resolves through the policy's lookup the way a socket does; `localhost` resolves without a network. */
function resolve(policy: TargetAddressPolicy, hostname: string, options: LookupOptions) {
  return new Promise<{ error: NodeJS.ErrnoException | null; address: string | LookupAddress[] }>((done) => {
    policy.lookup(hostname, options, (error, address) => done({ error, address }));
  });
}

describe('TargetAddressPolicy.lookup', () => {
  it.each([{}, { all: true }])('refuses a name that resolves to a loopback address (%o)', async (options) => {
    const { error } = await resolve(new TargetAddressPolicy(false), 'localhost', options);

    expect(error).toMatchObject({ code: 'ERR_TARGET_NOT_ALLOWED' });
    expect(error?.message).toMatch(/loopback/);
  });

  it('passes addresses through in the shape asked for when private targets are allowed', async () => {
    const policy = new TargetAddressPolicy(true);

    const single = await resolve(policy, 'localhost', { family: 4 });
    const all = await resolve(policy, 'localhost', { family: 4, all: true });

    expect(single).toEqual({ error: null, address: '127.0.0.1' });
    expect(all).toEqual({ error: null, address: [{ address: '127.0.0.1', family: 4 }] });
  });

  it('reports a name that does not resolve as a DNS error', async () => {
    const { error } = await resolve(new TargetAddressPolicy(false), 'no-such-host.invalid', {});

    expect(error?.code).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });
});
