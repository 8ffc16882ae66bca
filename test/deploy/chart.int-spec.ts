import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { chartPolicyViolations } from './chart-policies';
import { CHART_DIR, CI_VALUES, helm, lintChart, renderChart } from './helm-chart';
import { K8sObject, ofKind } from './k8s-object';
import { schemaViolations } from './k8s-schemas';

/** The ConfigMap must carry every config.* key of values.yaml and the CI values, with their values. */
function configOf(...files: string[]): Record<string, string> {
  const merged = Object.assign({}, ...files.map((f) => parse(readFileSync(f, 'utf8')).config ?? {}));
  return Object.fromEntries(Object.entries(merged).map(([k, v]) => [k, String(v)]));
}
const DEFAULT_CONFIG = { ...configOf(join(CHART_DIR, 'values.yaml'), CI_VALUES), MIGRATIONS_RUN: 'false' };

const OVERRIDES = [
  '--set',
  'apps.executor.hpa.enabled=false',
  '--set',
  'apps.executor.replicas=3',
  '--set',
  'secret.existingSecret=scs-secrets',
  '--set',
  'keda.enabled=true',
  '--set',
  'serviceMonitor.enabled=true',
  '--set',
  'grafanaDashboard.enabled=true',
  '--set',
  'prometheusRule.enabled=true',
  '--set',
  'config.KAFKA_TOPIC_PREFIX=staging.',
  '--set',
  'config.GATEWAY_BODY_LIMIT_BYTES=524288',
  '--set',
  'config.EXECUTOR_MAX_IN_FLIGHT=200',
];
const OVERRIDDEN_CONFIG = {
  ...DEFAULT_CONFIG,
  KAFKA_TOPIC_PREFIX: 'staging.',
  GATEWAY_BODY_LIMIT_BYTES: '524288',
  EXECUTOR_MAX_IN_FLIGHT: '200',
};

const names = (objects: K8sObject[], kind: string) =>
  ofKind(objects, kind)
    .map((o) => o.metadata.name)
    .sort();
const APPS = ['executor', 'gateway', 'projector', 'scheduler-core'].map((app) => `scs-service-call-scheduler-${app}`);

describe('Helm chart k8s/service-call-scheduler', () => {
  it('passes helm lint --strict with the CI values and with the overrides', () => {
    expect(lintChart(CHART_DIR, ['-f', CI_VALUES])).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    expect(lintChart(CHART_DIR, ['-f', CI_VALUES, ...OVERRIDES])).toMatch(/0 chart\(s\) failed/);
  });

  describe('rendered with the CI values', () => {
    const objects = renderChart();

    it('renders every app with its Service, PDB, NetworkPolicy and HPA, one ServiceAccount and the hook Jobs', () => {
      for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget', 'NetworkPolicy', 'HorizontalPodAutoscaler']) {
        expect({ kind, names: names(objects, kind) }).toEqual({ kind, names: APPS });
      }
      expect(ofKind(objects, 'ServiceAccount')).toHaveLength(1);
      expect(names(objects, 'Job')).toEqual([
        'scs-service-call-scheduler-create-topics',
        'scs-service-call-scheduler-migrate',
      ]);
      expect(ofKind(objects, 'ScaledObject')).toEqual([]);
      expect(ofKind(objects, 'ServiceMonitor')).toEqual([]);
    });

    it('matches the Kubernetes schemas', () => {
      expect(schemaViolations(objects)).toEqual([]);
    });

    it('keeps every policy', () => {
      expect(chartPolicyViolations(objects, DEFAULT_CONFIG)).toEqual([]);
    });

    it("runs every app's node without flags, or with those nodeFlags gives", () => {
      const argsOf = (rendered: K8sObject[]) =>
        Object.fromEntries(
          ofKind(rendered, 'Deployment').map((d) => [
            d.metadata.name,
            (d.spec.template.spec.containers[0] as { args: string[] }).args,
          ]),
        );
      const entry = (deployment: string) => `dist/apps/${deployment.replace('scs-service-call-scheduler-', '')}/src/main.js`;
      expect(argsOf(objects)).toEqual(Object.fromEntries(APPS.map((d) => [d, ['node', entry(d)]])));
      expect(argsOf(renderChart(['--set-json', 'nodeFlags=["--single-threaded-gc"]']))).toEqual(
        Object.fromEntries(APPS.map((d) => [d, ['node', '--single-threaded-gc', entry(d)]])),
      );
    });
  });

  describe('rendered with 3 executor replicas and no HPA, an existing Secret, KEDA, a ServiceMonitor and extra config keys', () => {
    const objects = renderChart(OVERRIDES);
    const deployment = (app: string) => ofKind(objects, 'Deployment').find((d) => d.metadata.name.endsWith(`-${app}`));

    it('matches the Kubernetes, KEDA and Prometheus Operator schemas', () => {
      expect(schemaViolations(objects)).toEqual([]);
    });

    it('keeps every policy, with --set config keys in the ConfigMap and the prefix on the KEDA groups and topics', () => {
      expect(chartPolicyViolations(objects, OVERRIDDEN_CONFIG)).toEqual([]);
    });

    it('runs the executor at 3 replicas, the gateway on its HPA and the consumers on KEDA', () => {
      expect(deployment('executor')?.spec.replicas).toBe(3);
      expect(deployment('gateway')?.spec.replicas).toBeUndefined();
      expect(ofKind(objects, 'HorizontalPodAutoscaler').map((h) => h.spec.scaleTargetRef.name)).toEqual([
        'scs-service-call-scheduler-gateway',
      ]);
      expect(names(objects, 'ScaledObject')).toEqual([
        'scs-service-call-scheduler-projector',
        'scs-service-call-scheduler-scheduler-core',
      ]);
      expect(names(objects, 'ServiceMonitor')).toHaveLength(1);
    });

    it('ships the dashboard and the alert rules as they are in the chart', () => {
      const dashboard = ofKind(objects, 'ConfigMap').find((c) => c.metadata.name.endsWith('-dashboard'));
      expect(dashboard?.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
      expect(JSON.parse(dashboard?.data?.['service-call-scheduler.json'] ?? 'null')).toEqual(
        JSON.parse(readFileSync(join(CHART_DIR, 'dashboards/service-call-scheduler.json'), 'utf8')),
      );
      const [rule] = ofKind(objects, 'PrometheusRule');
      expect(rule.spec).toEqual(parse(readFileSync(join(CHART_DIR, 'alerts/alerts.yaml'), 'utf8')));
      expect(ofKind(objects, 'ServiceMonitor')[0].spec.targetLabels).toEqual([
        'app.kubernetes.io/part-of',
        'app.kubernetes.io/component',
      ]);
    });

    it('reads the existing Secret and renders none of its own', () => {
      expect(ofKind(objects, 'Secret')).toEqual([]);
      const refs = ofKind(objects, 'Deployment')
        .flatMap((d) => d.spec.template.spec.containers.flatMap((c: any) => c.env ?? []))
        .flatMap((e: any) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef.name] : []));
      expect(refs.length).toBeGreaterThan(0);
      expect(new Set(refs)).toEqual(new Set(['scs-secrets']));
    });

    it('gives the topic Job the prefix too', () => {
      const job = ofKind(objects, 'Job').find((j) => j.metadata.name.endsWith('-create-topics'));
      expect(job?.spec.template.spec.containers[0].env).toContainEqual({ name: 'KAFKA_TOPIC_PREFIX', value: 'staging.' });
    });
  });

  describe('fails on what it must catch', () => {
    const objects = renderChart();
    const broken = (): K8sObject[] => structuredClone(objects);

    it('a lint error', () => {
      const copy = mkdtempSync(join(tmpdir(), 'scs-chart-'));
      try {
        cpSync(CHART_DIR, copy, { recursive: true });
        writeFileSync(join(copy, 'templates/broken.yaml'), 'kind: ConfigMap\nmetadata: {{ .Values.nope.missing }\n');
        expect(() => lintChart(copy, ['-f', CI_VALUES])).toThrow(/helm lint .* failed/);
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    });

    it('a hook Job deadline Helm would not wait for', () => {
      expect(() =>
        helm(['template', 'scs', CHART_DIR, '-f', CI_VALUES, '--set', 'migrations.activeDeadlineSeconds=600']),
      ).toThrow(/activeDeadlineSeconds/);
    });

    it('a termination grace period too short for the apps to shut down after the preStop sleep', () => {
      const withGrace = (seconds: number) => () =>
        renderChart(['--set', `preStopSleepSeconds=5,terminationGracePeriodSeconds=${seconds}`]);
      expect(withGrace(19)).toThrow(/preStopSleepSeconds \+ 15/);
      expect(withGrace(20)).not.toThrow();
    });

    it('a misspelled values key (values.schema.json)', () => {
      expect(() => renderChart(['--set', 'keda.enable=true'])).toThrow(/enable/);
    });

    it('a schema violation', () => {
      const objs = broken();
      ofKind(objs, 'Deployment')[0].spec.replicas = 'three';
      ofKind(objs, 'NetworkPolicy')[0].spec.policyTypes = 'Ingress';
      const violations = schemaViolations(objs);
      expect(violations).toHaveLength(2);
      expect(violations).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^Deployment\/.*replicas must be integer/),
          expect.stringMatching(/^NetworkPolicy\/.*policyTypes must be array/),
        ]),
      );
    });

    it('missing policies', () => {
      const objs = broken().filter((o) => o.kind !== 'PodDisruptionBudget' && o.kind !== 'ServiceAccount');
      const gateway = ofKind(objs, 'Deployment').find((d) => d.metadata.name.endsWith('-gateway'))!;
      delete gateway.spec.template.spec.containers[0].readinessProbe;
      delete gateway.spec.template.spec.containers[0].lifecycle;
      gateway.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false;
      ofKind(objs, 'HorizontalPodAutoscaler')[0].spec.behavior = undefined;
      ofKind(objs, 'NetworkPolicy')
        .find((p) => p.metadata.name.endsWith('-projector'))!
        .spec.egress.push({});
      ofKind(objs, 'Job')[0].spec.activeDeadlineSeconds = 600;
      const violations = chartPolicyViolations(objs, { ...DEFAULT_CONFIG, GATEWAY_BODY_LIMIT_BYTES: '1' }).join('\n');
      for (const expected of [
        /gateway: container gateway has no readinessProbe/,
        /gateway: container gateway has no preStop sleep/,
        /gateway: container gateway has a writable root filesystem/,
        /executor: no PodDisruptionBudget selects its pods/,
        /which the chart does not render/,
        /ConfigMap: GATEWAY_BODY_LIMIT_BYTES/,
        /no scaleUp\/scaleDown behavior/,
        /activeDeadlineSeconds 600/,
        /NetworkPolicy .*-projector: projector may reach the outside/,
      ]) {
        expect(violations).toMatch(expected);
      }
    });

    it('an HPA and a ScaledObject on one Deployment, a ScaledObject on the wrong group, a ServiceMonitor on the wrong port', () => {
      const objs = renderChart(['--set', 'keda.enabled=true', '--set', 'serviceMonitor.enabled=true']);
      ofKind(objs, 'ServiceMonitor')[0].spec.endpoints[0].port = 'metrics';
      const scaled = ofKind(objs, 'ScaledObject')[0];
      scaled.spec.triggers[0].metadata.consumerGroup = 'someone-else';
      const hpa = structuredClone(ofKind(objs, 'HorizontalPodAutoscaler')[0]);
      hpa.spec.scaleTargetRef.name = scaled.spec.scaleTargetRef.name;
      const violations = chartPolicyViolations([...objs, hpa], DEFAULT_CONFIG).join('\n');
      expect(violations).toMatch(/consumerGroup someone-else, the app uses /);
      expect(violations).toMatch(/is scaled by HorizontalPodAutoscaler .* and ScaledObject /);
      expect(violations).toMatch(/ServiceMonitor .*: scrapes ports metrics, not all on Service /);
    });
  });
});
