import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { metricsRegistry } from '@app/common/observability';
import { projectRoot } from '../../tools/infra/project-root';
import { ApiClient } from '../support/api-client';
import { declaredMetricNames, parseSamples, Sample } from '../support/prometheus-exposition';
import { RecordingTarget } from '../support/recording-target';
import { RunningSystem, startRunningSystem, TEST_API_KEY } from '../support/running-system';
import { markdownAnchors } from './markdown-anchors';
import { allExpressions, Dashboard, readDashboard, readRules, RuleFile } from './observability-artifacts';
import { promqlReferences } from './promql-references';

/** Series Prometheus makes for every scrape target itself; no app exports them. */
const PROMETHEUS_SERIES = new Set(['up']);
/** Labels Prometheus attaches to every series of a target (instance, job; the chart's pod labels through the usual labelmap). */
const TARGET_LABELS = new Set(['instance', 'job', 'app_kubernetes_io_part_of', 'app_kubernetes_io_component']);
const HISTOGRAM_SERIES = /_(bucket|sum|count)$/;

/**
 * Series that are exported (registered, so HELP/TYPE are there) but that nothing observes yet: the
 * call sites belong to the projector handler, the timer poller and main.ts, which the lead wires.
 * The test fails once one of them shows an observation, so this list cannot outlive the wiring.
 */
/** Series one submitted call must move, app by app: evidence the scrape saw the apps at work. */
const OBSERVED_AFTER_ONE_CALL: Record<string, string[]> = {
  gateway: [
    'http_server_request_duration_seconds',
    'scheduler_outbox_published_total',
    'scheduler_outbox_publish_delay_seconds',
    'scheduler_outbox_backlog_rows',
    'scheduler_outbox_oldest_unpublished_age_seconds',
  ],
  'scheduler-core': [
    'scheduler_messages_consumed_total',
    'scheduler_message_age_seconds',
    'scheduler_command_batches_total',
    'scheduler_consumer_lag',
    'scheduler_outbox_published_total',
    'scheduler_outbox_publish_delay_seconds',
    'http_server_request_duration_seconds',
    'scheduler_timer_lateness_seconds',
    'scheduler_outbox_backlog_rows',
  ],
  executor: [
    'scheduler_executions_total',
    'scheduler_execution_latency_seconds',
    'scheduler_message_age_seconds',
    'scheduler_outbox_publish_delay_seconds',
    'scheduler_in_flight_messages',
    'scheduler_in_flight_limit',
    'http_server_request_duration_seconds',
  ],
  projector: [
    'scheduler_messages_consumed_total',
    'scheduler_message_age_seconds',
    'scheduler_consumer_lag',
    'http_server_request_duration_seconds',
    'scheduler_calls_finished_total',
    'scheduler_call_completion_seconds',
  ],
};

const labelNamesOf = (metric: string): string[] => {
  const registered = metricsRegistry.getSingleMetric(metric) as unknown as { labelNames?: string[] } | undefined;
  return registered?.labelNames ?? [];
};

/** A family with at least one observation: a histogram with a count, a counter above zero, a gauge with any series. */
function isObserved(metric: string, samples: readonly Sample[]): boolean {
  const counts = samples.filter((s) => s.name === `${metric}_count`);
  if (counts.length > 0) return counts.some((s) => s.value > 0);
  const own = samples.filter((s) => s.name === metric);
  return metric.endsWith('_total') ? own.some((s) => s.value > 0) : own.length > 0;
}

describe('dashboard and alert rules', () => {
  let dashboard: Dashboard;
  let rules: RuleFile;

  beforeAll(() => {
    dashboard = readDashboard();
    rules = readRules();
  });

  describe('structure', () => {
    it('is a Grafana dashboard (schemaVersion ≥ 36) whose panels all query the Prometheus datasource variable', () => {
      expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
      expect(dashboard.uid).toBeTruthy();
      expect(dashboard.templating?.list).toContainEqual(
        expect.objectContaining({ type: 'datasource', name: 'datasource', query: 'prometheus' }),
      );
      const ids = dashboard.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');
      expect(queryPanels.length).toBeGreaterThanOrEqual(10);
      for (const panel of queryPanels) {
        expect({ panel: panel.title, datasource: panel.datasource?.uid }).toEqual({
          panel: panel.title,
          datasource: '${datasource}',
        });
        expect({ panel: panel.title, targets: (panel.targets ?? []).length > 0 }).toEqual({
          panel: panel.title,
          targets: true,
        });
        for (const target of panel.targets ?? []) {
          expect({
            panel: panel.title,
            refId: target.refId,
            expr: typeof target.expr === 'string' && target.expr.trim().length > 0,
          }).toEqual({ panel: panel.title, refId: target.refId, expr: true });
        }
      }
    });

    it('has the panels an operator needs', () => {
      const referenced = new Set(
        dashboard.panels.flatMap((p) => (p.targets ?? []).flatMap((t) => promqlReferences(t.expr ?? '').metrics)),
      );
      for (const metric of [
        'scheduler_calls_finished_total',
        'scheduler_call_completion_seconds_bucket',
        'scheduler_timer_lateness_seconds_bucket',
        'scheduler_consumer_lag',
        'scheduler_outbox_backlog_rows',
        'scheduler_outbox_oldest_unpublished_age_seconds',
        'scheduler_messages_consumed_total',
        'scheduler_in_flight_messages',
        'scheduler_in_flight_limit',
        'http_server_request_duration_seconds_count',
        'http_server_request_duration_seconds_bucket',
        'scheduler_outbox_set_aside_total',
      ])
        expect({ metric, onDashboard: referenced.has(metric) }).toEqual({ metric, onDashboard: true });
    });

    it('has rules in groups, each alert with expr, for, severity, summary and a runbook section that exists', () => {
      const runbooks = ['runbook.md'].map((f) => join(projectRoot(), 'docs', f)).filter((f) => existsSync(f));
      const anchors = new Set(runbooks.flatMap((f) => [...markdownAnchors(readFileSync(f, 'utf8'))]));
      const alerts = rules.groups.flatMap((g) => g.rules);
      expect(alerts.length).toBeGreaterThanOrEqual(8);
      expect(new Set(alerts.map((a) => a.alert)).size).toBe(alerts.length);
      for (const rule of alerts) {
        const runbook = rule.annotations?.runbook_url ?? rule.annotations?.runbook ?? '';
        const section = /^docs\/runbook\.md#([a-z0-9-]+)$/.exec(runbook)?.[1];
        expect({
          alert: rule.alert,
          expr: typeof rule.expr === 'string' && rule.expr.length > 0,
          for: /^\d+[smh]$/.test(rule.for ?? ''),
          severity: ['critical', 'warning'].includes(rule.labels?.severity ?? ''),
          summary: (rule.annotations?.summary ?? '').length > 0,
          runbookSection: section !== undefined && anchors.has(section),
        }).toEqual({ alert: rule.alert, expr: true, for: true, severity: true, summary: true, runbookSection: true });
      }
    });

    it('alerts on what an operator must act on', () => {
      const byMetric = (metric: string) =>
        rules.groups
          .flatMap((g) => g.rules)
          .filter((r) => promqlReferences(r.expr ?? '').metrics.includes(metric))
          .map((r) => r.alert);
      expect(byMetric('scheduler_consumer_lag')).toHaveLength(1);
      expect(byMetric('scheduler_outbox_oldest_unpublished_age_seconds')).toHaveLength(1);
      expect(byMetric('scheduler_messages_consumed_total')).toHaveLength(1);
      expect(byMetric('scheduler_outbox_set_aside_total')).toHaveLength(1);
      expect(byMetric('scheduler_in_flight_limit')).toHaveLength(1);
      expect(byMetric('http_server_request_duration_seconds_count')).toHaveLength(1);
      expect(byMetric('scheduler_timer_lateness_seconds_bucket')).toHaveLength(1);
      expect(byMetric('scheduler_ready')).toHaveLength(1);
      expect(byMetric('up').length).toBeGreaterThanOrEqual(1);
    });

    it('writes every expression in valid PromQL, matching and grouping only on labels its metrics carry', () => {
      for (const { origin, expr } of allExpressions(dashboard, rules)) {
        const refs = promqlReferences(expr);
        expect({ origin, syntaxErrors: refs.syntaxErrors }).toEqual({ origin, syntaxErrors: [] });
        expect({ origin, metrics: refs.metrics.length > 0 }).toEqual({ origin, metrics: true });
        const known = new Set([
          ...TARGET_LABELS,
          'le',
          ...refs.metrics.flatMap((m) => labelNamesOf(m.replace(HISTOGRAM_SERIES, '')).concat(labelNamesOf(m))),
        ]);
        expect({ origin, unknownLabels: refs.labels.filter((l) => !known.has(l)) }).toEqual({ origin, unknownLabels: [] });
      }
    });

    it('recognises a broken expression (the check is not vacuous)', () => {
      expect(promqlReferences('sum(rate(http_server_request_duration_seconds_count[5m])').syntaxErrors).not.toEqual([]);
      expect(promqlReferences('histogram_quantile(0.99, sum by (le) (rate(x_bucket{a="b"}[$__rate_interval])))')).toEqual({
        syntaxErrors: [],
        metrics: ['x_bucket'],
        labels: ['le', 'a'],
      });
    });
  });

  describe('against the four apps running as processes', () => {
    let system: RunningSystem;
    let target: RecordingTarget;
    const exposition = new Map<string, string>();

    beforeAll(async () => {
      target = new RecordingTarget(() => ({ status: 200, body: 'ok' }));
      const targetUrl = await target.start();
      system = await startRunningSystem('e2e-observability');
      const api = new ApiClient(system.baseUrl, TEST_API_KEY);
      const now = await api.submit({ target: { method: 'POST', url: `${targetUrl}/now`, body: 'x' } });
      const later = await api.submit({
        target: { method: 'POST', url: `${targetUrl}/later`, body: 'x' },
        dueAt: new Date(Date.now() + 1_500).toISOString(),
      });
      expect([now.status, later.status]).toEqual([202, 202]);
      await api.waitForStatus(now.body.data.id, ['Succeeded']);
      await api.waitForStatus(later.body.data.id, ['Succeeded']);
      for (const app of system.apps)
        exposition.set(app.name, await (await fetch(`http://127.0.0.1:${app.port}/metrics`)).text());
    }, 180_000);

    afterAll(async () => {
      await system?.stop();
      await target?.stop();
    });

    it('exports every metric the dashboard and the rules refer to', () => {
      const declared = new Set([...exposition.values()].flatMap((text) => [...declaredMetricNames(text)]));
      const referenced = new Set(allExpressions(dashboard, rules).flatMap(({ expr }) => promqlReferences(expr).metrics));
      const missing = [...referenced].filter(
        (m) => !PROMETHEUS_SERIES.has(m) && !declared.has(m) && !declared.has(m.replace(HISTOGRAM_SERIES, '')),
      );
      expect(missing).toEqual([]);
      expect(referenced.size).toBeGreaterThan(10);
    });

    it('shows the work of the call on each app', () => {
      for (const [app, metrics] of Object.entries(OBSERVED_AFTER_ONE_CALL)) {
        const samples = parseSamples(exposition.get(app) ?? '');
        for (const metric of metrics)
          expect({ app, metric, observed: isObserved(metric, samples) }).toEqual({ app, metric, observed: true });
        expect({ app, ready: samples.find((s) => s.name === 'scheduler_ready')?.value }).toEqual({ app, ready: 1 });
      }
    });
  });
});
