import { pidsInSsOutput } from './listening-pid';

describe('pidsInSsOutput', () => {
  it('reads the pid of the listening process', () => {
    const out = 'LISTEN 0 50 127.0.0.1:39093 0.0.0.0:* users:(("java",pid=4242,fd=151))\n';
    expect(pidsInSsOutput(out)).toEqual([4242]);
  });

  it('gives each pid once and nothing for an empty answer', () => {
    expect(pidsInSsOutput('users:(("redis-server",pid=9,fd=6),("redis-server",pid=9,fd=7))')).toEqual([9]);
    expect(pidsInSsOutput('')).toEqual([]);
  });
});
