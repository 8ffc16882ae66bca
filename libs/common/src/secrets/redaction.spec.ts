import type { TargetRequest } from '../contracts/service-call-target';
import { redactHeaders, redactTarget, redactUrl } from './redaction';

describe('redactHeaders', () => {
  it('redacts sensitive headers whatever their case and lower-cases every name', () => {
    const redacted = redactHeaders({
      Authorization: 'Bearer abc',
      'PROXY-Authorization': 'Basic xyz',
      Cookie: 'sid=1',
      'X-Api-Key': 'k',
      'Api-Key': 'k',
      'X-CSRF-Token': 't',
      'Content-Type': 'application/json',
    });

    expect(redacted).toEqual({
      authorization: '[REDACTED]',
      'proxy-authorization': '[REDACTED]',
      cookie: '[REDACTED]',
      'x-api-key': '[REDACTED]',
      'api-key': '[REDACTED]',
      'x-csrf-token': '[REDACTED]',
      'content-type': 'application/json',
    });
  });

  it('redacts headers whose name contains a credential word', () => {
    const redacted = redactHeaders({
      'X-Amz-Security-Token': 'a',
      'X-Client-Secret': 'b',
      'X-Db-Password': 'c',
      'X-Hub-Signature-256': 'd',
      'X-Partner-ApiKey': 'e',
      'X-Session-Id': 'f',
      'X-Request-Id': 'g',
    });

    expect(redacted).toEqual({
      'x-amz-security-token': '[REDACTED]',
      'x-client-secret': '[REDACTED]',
      'x-db-password': '[REDACTED]',
      'x-hub-signature-256': '[REDACTED]',
      'x-partner-apikey': '[REDACTED]',
      'x-session-id': '[REDACTED]',
      'x-request-id': 'g',
    });
  });
});

describe('redactUrl', () => {
  it('redacts credential-like query params and keeps the others as they were', () => {
    const url = 'https://api.example.com/v1/items?page=2&Access_Token=abc&sort=name%20asc&API_KEY=k&sig=s';

    expect(redactUrl(url)).toBe(
      'https://api.example.com/v1/items?page=2&Access_Token=[REDACTED]&sort=name%20asc&API_KEY=[REDACTED]&sig=[REDACTED]',
    );
  });

  it('redacts params whose name contains a credential word, even percent-encoded', () => {
    const url = 'https://x.test/?x-amz-signature=1&my%5Fsecret=2&stripeKey=3&oauth_token=4&q=5';

    expect(redactUrl(url)).toBe(
      'https://x.test/?x-amz-signature=[REDACTED]&my%5Fsecret=[REDACTED]&stripeKey=[REDACTED]&oauth_token=[REDACTED]&q=5',
    );
  });

  it('redacts userinfo and tokens in the fragment', () => {
    expect(redactUrl('https://user:p%40ss@example.com:8443/cb?state=1#access_token=abc&type=bearer')).toBe(
      'https://[REDACTED]@example.com:8443/cb?state=1#access_token=[REDACTED]&type=bearer',
    );
  });

  it('leaves a URL without secrets unchanged and is consistent', () => {
    const url = 'http://example.com/a/b?x=1&y&z=%E2%9C%93#top';

    expect(redactUrl(url)).toBe(url);
    expect(redactUrl('https://h.test/?token=a')).toBe(redactUrl('https://h.test/?token=a'));
  });

  it('does not mistake an @ in the path for userinfo', () => {
    expect(redactUrl('https://example.com/users/@me?key=1')).toBe('https://example.com/users/@me?key=[REDACTED]');
  });
});

describe('redactTarget', () => {
  it('keeps the method, redacts url and headers, and drops the body', () => {
    const target: TargetRequest = {
      method: 'POST',
      url: 'https://hooks.example.com/in?token=t',
      headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' },
      body: '{"password":"p"}',
    };

    expect(redactTarget(target)).toEqual({
      method: 'POST',
      url: 'https://hooks.example.com/in?token=[REDACTED]',
      headers: { authorization: '[REDACTED]', 'content-type': 'application/json' },
    });
  });
});
