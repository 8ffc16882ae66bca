import { GatewayClient } from './gateway-client';
import { HopSnapshot, scrapeHops } from './hop-latency';
import { LoadSubject } from './load-subject';
import { ReadModelWatcher } from './read-model-watcher';

/** The scheduler as the sweep sees it: submit through the API; complete when the read model says Succeeded. */
export function schedulerSubject(
  gateway: GatewayClient,
  watcher: ReadModelWatcher,
  targetUrl: string,
  metricsUrls: readonly string[],
): LoadSubject {
  return {
    name: 'scheduler',
    completion: 'Succeeded in projector.service_calls (polled by primary key)',
    submit: async (path) => {
      const answer = await gateway.submit(`${targetUrl}${path}`);
      if (answer.id) watcher.watch(answer.id);
      return { status: answer.status, key: answer.id };
    },
    completedAt: (key) => watcher.succeededAt(key),
    hopSnapshot: (): Promise<HopSnapshot> => scrapeHops(metricsUrls),
  };
}
