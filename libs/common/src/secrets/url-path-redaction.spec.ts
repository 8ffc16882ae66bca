import { redactUrl } from './redaction';

describe('redactUrl: credentials in the path of known webhook URLs', () => {
  it.each([
    [
      'Slack incoming webhook',
      'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
      'https://hooks.slack.com/services/T00000000/B00000000/[REDACTED]',
    ],
    [
      'Slack workflow webhook',
      'https://hooks.slack.com/workflows/T01ABCDEF/A02BCDEFG/412345678901234567/abcdefghij',
      'https://hooks.slack.com/workflows/T01ABCDEF/A02BCDEFG/412345678901234567/[REDACTED]',
    ],
    [
      'Slack trigger webhook',
      'https://hooks.slack.com/triggers/T01ABCDEF/5012345678901/abcdef',
      'https://hooks.slack.com/triggers/T01ABCDEF/5012345678901/[REDACTED]',
    ],
    [
      'Slack GovSlack webhook',
      'https://hooks.slack-gov.com/services/T0/B0/shortsecret',
      'https://hooks.slack-gov.com/services/T0/B0/[REDACTED]',
    ],
    [
      'Discord webhook',
      'https://discord.com/api/webhooks/1234567890123456789/abc-DEF_ghi',
      'https://discord.com/api/webhooks/1234567890123456789/[REDACTED]',
    ],
    [
      'Discord versioned webhook',
      'https://discord.com/api/v10/webhooks/123/tok?wait=true',
      'https://discord.com/api/v10/webhooks/123/[REDACTED]?wait=true',
    ],
    [
      'Discord Slack-compatible suffix',
      'https://discordapp.com/api/webhooks/123/tok/slack',
      'https://discordapp.com/api/webhooks/123/[REDACTED]/slack',
    ],
    [
      'Discord GitHub-compatible suffix',
      'https://ptb.discord.com/api/webhooks/123/tok/github',
      'https://ptb.discord.com/api/webhooks/123/[REDACTED]/github',
    ],
    [
      'Discord message edit',
      'https://canary.discord.com/api/webhooks/123/tok/messages/456',
      'https://canary.discord.com/api/webhooks/123/[REDACTED]/messages/456',
    ],
    [
      'Telegram Bot API',
      'https://api.telegram.org/bot110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage?chat_id=42',
      'https://api.telegram.org/bot[REDACTED]/sendMessage?chat_id=42',
    ],
    [
      'Telegram percent-encoded token',
      'https://api.telegram.org/bot123%3Aabc/getMe',
      'https://api.telegram.org/bot[REDACTED]/getMe',
    ],
    [
      'Telegram file download',
      'https://api.telegram.org/file/bot123:abc/photos/file_1.jpg',
      'https://api.telegram.org/file/bot[REDACTED]/photos/file_1.jpg',
    ],
    [
      'Microsoft Teams connector',
      'https://contoso.webhook.office.com/webhookb2/8b2e4f5a-1c2d-4e3f-9a8b-7c6d5e4f3a2b@72f988bf-86f1-41af-91ab-2d7cd011db47/IncomingWebhook/0123456789abcdef0123456789abcdef/9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f/V2abcDEF',
      'https://contoso.webhook.office.com/webhookb2/8b2e4f5a-1c2d-4e3f-9a8b-7c6d5e4f3a2b@72f988bf-86f1-41af-91ab-2d7cd011db47/IncomingWebhook/[REDACTED]/[REDACTED]/[REDACTED]',
    ],
    [
      'Office 365 connector (legacy host)',
      'https://outlook.office.com/webhook/a@b/IncomingWebhook/c0ffee/d00d',
      'https://outlook.office.com/webhook/a@b/IncomingWebhook/[REDACTED]/[REDACTED]',
    ],
    ['Mattermost', 'https://chat.example.com/hooks/9xuqwrwgstrb3mzrxb83nb357a', 'https://chat.example.com/hooks/[REDACTED]'],
    [
      'Mattermost (documentation example)',
      'https://chat.example.com/hooks/xxx-generatedkey-xxx',
      'https://chat.example.com/hooks/[REDACTED]',
    ],
    [
      'Rocket.Chat',
      'https://rocket.example.com/hooks/6aBcD/zYxWvU',
      'https://rocket.example.com/hooks/[REDACTED]/[REDACTED]',
    ],
    [
      'Zapier catch hook',
      'https://hooks.zapier.com/hooks/catch/123456/abcdef/',
      'https://hooks.zapier.com/hooks/catch/123456/[REDACTED]/',
    ],
    [
      'IFTTT webhook',
      'https://maker.ifttt.com/trigger/door_open/with/key/dK3y',
      'https://maker.ifttt.com/trigger/door_open/with/key/[REDACTED]',
    ],
    [
      'host in upper case, with port and trailing dot',
      'https://HOOKS.Slack.com.:443/services/T0/B0/s3cr3t',
      'https://HOOKS.Slack.com.:443/services/T0/B0/[REDACTED]',
    ],
  ])('%s', (_provider, url, redacted) => {
    expect(redactUrl(url)).toBe(redacted);
  });

  it('keeps the readable parts of look-alike paths on other hosts and numeric or word hook ids', () => {
    for (const url of [
      'https://example.com/services/T0/B0/plainword',
      'https://example.com/api/webhooks/123/plainword',
      'https://api.github.com/repos/octo/app/hooks/42/pings',
      'https://example.com/hooks/catch',
      'https://example.com/bot/sendMessage',
    ]) {
      expect(redactUrl(url)).toBe(url);
    }
  });
});

describe('redactUrl: token-like path segments', () => {
  it.each([
    [
      'a base64url token',
      'https://api.example.com/v1/callbacks/Zm9vYmFyX2Jhel9xdXV4XzEyMzQ1Ng/notify',
      'https://api.example.com/v1/callbacks/[REDACTED]/notify',
    ],
    [
      'a hex digest',
      'https://example.com/ping/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      'https://example.com/ping/[REDACTED]',
    ],
    [
      'a JWT',
      'https://example.com/magic/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl/confirm',
      'https://example.com/magic/[REDACTED]/confirm',
    ],
    [
      'a percent-encoded base64 token',
      'https://example.com/t/q7Hx%2B9LmPz%2FvR2kW8yNcT4bJ%3D',
      'https://example.com/t/[REDACTED]',
    ],
    [
      'a GitHub token',
      'https://proxy.example.com/ghp_16C7e42F292c6912E7710c838347Ae178B4a/repos',
      'https://proxy.example.com/[REDACTED]/repos',
    ],
    [
      'a session id as a path parameter',
      'https://shop.example.com/cart;jsessionid=1A2B3C4D5E6F;lang=en/items',
      'https://shop.example.com/cart;jsessionid=[REDACTED];lang=en/items',
    ],
  ])('redacts %s and keeps the rest', (_kind, url, redacted) => {
    expect(redactUrl(url)).toBe(redacted);
  });

  it('leaves ids, numbers, dates and slugs readable', () => {
    for (const url of [
      'https://api.example.com/orders/123',
      'https://api.example.com/v1/users/550e8400-e29b-41d4-a716-446655440000/profile',
      'https://api.example.com/v1/events/01ARZ3NDEKTSV4RRFFQ69G5FAV',
      'https://api.notion.com/v1/pages/b55c9c91384d452b81dbd1ef79372b75',
      'https://api.example.com/items/507f1f77bcf86cd799439011',
      'https://api.stripe.com/v1/payment_intents/pi_3MtwBwLkdIwHu7ix28a3tqPa/confirm',
      'https://api.example.com/reports/2026-11-25T10:00:00Z/daily-revenue-by-region-europe-west',
      'https://api.example.com/rpc/getUserPreferencesByAccountIdentifier',
      'https://cdn.example.com/files/quarterly-report-2026-q4-final.pdf',
      'https://discord.com/api/webhooks/1234567890123456789',
    ]) {
      expect(redactUrl(url)).toBe(url);
    }
  });

  it('is deterministic and idempotent: redacting twice gives the same string', () => {
    const url = 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX?token=a#x';
    const once = redactUrl(url);

    expect(redactUrl(url)).toBe(once);
    expect(redactUrl(once)).toBe(once);
  });

  it('combines path, userinfo and query redaction', () => {
    expect(redactUrl('https://u:p@discord.com/api/webhooks/1/tok?thread_id=2&token=t')).toBe(
      'https://[REDACTED]@discord.com/api/webhooks/1/[REDACTED]?thread_id=2&token=[REDACTED]',
    );
  });
});
