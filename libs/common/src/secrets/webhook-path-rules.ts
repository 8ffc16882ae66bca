/** A provider whose webhook URLs carry their credential in the path; every capture group of `path` is a secret. */
export interface WebhookPathRule {
  readonly provider: string;
  /** Tested against the lower-case host name, without port or trailing dot. */
  readonly host: RegExp;
  /** Tested against the raw path (backslashes read as slashes); must carry the `d` flag for group offsets. */
  readonly path: RegExp;
}

const SLACK_HOSTS = /^hooks\.slack(?:-gov)?\.com$/;

export const WEBHOOK_PATH_RULES: readonly WebhookPathRule[] = [
  // hooks.slack.com/services/T…/B…/<secret>
  { provider: 'Slack incoming webhook', host: SLACK_HOSTS, path: /^\/services\/[^/]+\/[^/]+\/([^/]+)/d },
  // hooks.slack.com/workflows/T…/A…/<id>/<secret>
  { provider: 'Slack workflow webhook', host: SLACK_HOSTS, path: /^\/workflows\/[^/]+\/[^/]+\/[^/]+\/([^/]+)/d },
  // hooks.slack.com/triggers/T…/<id>/<secret>
  { provider: 'Slack trigger webhook', host: SLACK_HOSTS, path: /^\/triggers\/[^/]+\/[^/]+\/([^/]+)/d },
  // discord.com/api[/v10]/webhooks/<id>/<token>[/slack|/github|/messages/<id>]
  {
    provider: 'Discord webhook',
    host: /^(?:(?:ptb|canary)\.)?discord(?:app)?\.com$/,
    path: /^\/api(?:\/v\d+)?\/webhooks\/[^/]+\/([^/]+)/d,
  },
  // api.telegram.org/bot<token>/sendMessage and /file/bot<token>/<file>: `bot` stays readable.
  { provider: 'Telegram Bot API', host: /^api\.telegram\.org$/, path: /^(?:\/file)?\/bot([^/]+)/d },
  // <tenant>.webhook.office.com/webhookb2/<group>@<tenant>/IncomingWebhook/<secret>/<connector>[/V2…]
  {
    provider: 'Microsoft Teams / Office 365 connector',
    host: /(?:^|\.)webhook\.office\.com$|^outlook\.office(?:365)?\.com$/,
    path: /\/IncomingWebhook\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?/di,
  },
  // hooks.zapier.com/hooks/catch/<account>/<secret>
  { provider: 'Zapier catch hook', host: /^hooks\.zapier\.com$/, path: /^\/hooks\/catch\/[^/]+\/([^/]+)/d },
  // maker.ifttt.com/trigger/<event>[/json]/with/key/<key> and /use/<key>
  { provider: 'IFTTT webhook', host: /^maker\.ifttt\.com$/, path: /\/with\/key\/([^/]+)|^\/use\/([^/]+)/d },
  // Mattermost (/hooks/<id>), Rocket.Chat (/hooks/<id>/<token>) and other self-hosted chats, on any host.
  // A number (/repos/o/r/hooks/42) or a short lower-case word (/hooks/catch) names a resource, not a secret.
  {
    provider: 'generic /hooks/<token>',
    host: /(?:)/,
    path: /\/hooks\/(?!(?:\d+|[a-z]{1,12})(?:\/|$))([^/]+)(?:\/(?!(?:\d+|[a-z]{1,12})(?:\/|$))([^/]+))?/d,
  },
];
