import { CONSUMER_GROUPS, TOPICS } from '../../libs/common/src/contracts/topics';
import { K8sObject, ofKind, selects } from './k8s-object';
import { APP_SHUTDOWN_SECONDS } from './app-shutdown';

/** Each consumer app's group and topic, as the apps name them (before KAFKA_TOPIC_PREFIX). */
export const CONSUMERS: Record<string, { group: string; topic: string }> = {
  'scheduler-core': { group: CONSUMER_GROUPS.schedulerCore, topic: TOPICS.commands },
  executor: { group: CONSUMER_GROUPS.executor, topic: TOPICS.executions },
  projector: { group: CONSUMER_GROUPS.projector, topic: TOPICS.events },
};

/** Helm's default --timeout: a hook Job must give up before Helm stops waiting for it. */
const HELM_DEFAULT_WAIT_SECONDS = 300;

const componentOf = (o: K8sObject): string => o.metadata.labels?.['app.kubernetes.io/component'] ?? o.metadata.name;

/** Every rule the chart must keep, as readable violations; [] when the rendered release keeps them all. */
export function chartPolicyViolations(objects: K8sObject[], expectedConfig: Record<string, string>): string[] {
  return [
    ...ofKind(objects, 'Deployment').flatMap((d) => deploymentViolations(d, objects)),
    ...configMapViolations(objects, expectedConfig),
    ...autoscalerViolations(objects),
    ...hookJobViolations(objects),
    ...serviceMonitorViolations(objects),
  ];
}

function deploymentViolations(deployment: K8sObject, objects: K8sObject[]): string[] {
  const app = componentOf(deployment);
  const at = `Deployment ${deployment.metadata.name}`;
  const pod = deployment.spec?.template?.spec ?? {};
  const podLabels: Record<string, string> = deployment.spec?.template?.metadata?.labels ?? {};
  const out: string[] = [];
  const need = (ok: unknown, what: string) => {
    if (!ok) out.push(`${at}: ${what}`);
  };

  const containers: any[] = pod.containers ?? [];
  need(containers.length > 0, 'has no containers');
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    need(c.readinessProbe, `container ${c.name} has no readinessProbe`);
    need(c.livenessProbe, `container ${c.name} has no livenessProbe`);
    need(c.resources?.requests?.cpu && c.resources?.requests?.memory, `container ${c.name} lacks cpu and memory requests`);
    need(c.resources?.limits?.memory, `container ${c.name} lacks a memory limit`);
    need(
      (sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot) === true,
      `container ${c.name} may run as root (runAsNonRoot)`,
    );
    need(sc.readOnlyRootFilesystem === true, `container ${c.name} has a writable root filesystem`);
    need(sc.allowPrivilegeEscalation === false, `container ${c.name} allows privilege escalation`);
    need((sc.capabilities?.drop ?? []).includes('ALL'), `container ${c.name} does not drop ALL capabilities`);
    need(
      (sc.seccompProfile ?? pod.securityContext?.seccompProfile)?.type === 'RuntimeDefault',
      `container ${c.name} has no RuntimeDefault seccomp profile`,
    );
    const sleep = preStopSleepSeconds(c);
    need(sleep !== undefined && sleep > 0, `container ${c.name} has no preStop sleep`);
    need(
      sleep !== undefined && (pod.terminationGracePeriodSeconds ?? 30) >= sleep + APP_SHUTDOWN_SECONDS,
      `terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} does not cover the preStop sleep (${sleep}s) plus ${APP_SHUTDOWN_SECONDS}s of shutdown`,
    );
  }

  const account = ofKind(objects, 'ServiceAccount').find((sa) => sa.metadata.name === pod.serviceAccountName);
  need(account, `runs as ServiceAccount "${pod.serviceAccountName}", which the chart does not render`);
  need(account?.automountServiceAccountToken === false, 'its ServiceAccount mounts an API token');
  need(pod.automountServiceAccountToken === false, 'pods mount an API token');

  const spread: any[] = pod.topologySpreadConstraints ?? [];
  need(
    spread.length > 0 && spread.every((t) => selects(t.labelSelector, podLabels)),
    'no topology spread constraint over its own pods',
  );

  need(
    ofKind(objects, 'PodDisruptionBudget').some((p) => selects(p.spec?.selector, podLabels)),
    'no PodDisruptionBudget selects its pods',
  );

  const policies = ofKind(objects, 'NetworkPolicy').filter((p) => selects(p.spec?.podSelector, podLabels));
  need(policies.length > 0, 'no NetworkPolicy selects its pods');
  for (const policy of policies) out.push(...networkPolicyViolations(policy, app, containers));
  return out;
}

function preStopSleepSeconds(container: any): number | undefined {
  const preStop = container.lifecycle?.preStop;
  if (preStop?.sleep?.seconds !== undefined) return Number(preStop.sleep.seconds);
  const command: string[] = preStop?.exec?.command ?? [];
  return command[0] === 'sleep' ? Number(command[1]) : undefined;
}

/** Ingress: the gateway on its port; the other apps from named peers (Prometheus) only. Egress to the outside: the executor only. */
function networkPolicyViolations(policy: K8sObject, app: string, containers: any[]): string[] {
  const at = `NetworkPolicy ${policy.metadata.name}`;
  const out: string[] = [];
  const types: string[] = policy.spec?.policyTypes ?? [];
  if (!types.includes('Ingress') || !types.includes('Egress')) out.push(`${at}: does not restrict both Ingress and Egress`);
  const ports = new Set<string | number>(
    containers.flatMap((c) => (c.ports ?? []).flatMap((p: any) => [p.name, p.containerPort])),
  );
  for (const rule of policy.spec?.ingress ?? []) {
    const rulePorts: any[] = rule.ports ?? [];
    if (rulePorts.length === 0 || !rulePorts.every((p) => ports.has(p.port)))
      out.push(`${at}: an ingress rule opens ports beyond the app's own`);
    if (app !== 'gateway' && !(rule.from?.length > 0)) out.push(`${at}: ${app} takes ingress from anyone`);
  }
  const egress: any[] = policy.spec?.egress ?? [];
  const egressPorts = egress.flatMap((rule) => (rule.ports ?? []).map((p: any) => Number(p.port)));
  for (const [port, what] of [
    [53, 'DNS'],
    [5432, 'Postgres'],
    [9092, 'the brokers'],
  ] as const) {
    if (!egressPorts.includes(port)) out.push(`${at}: no egress to ${what} (port ${port})`);
  }
  // A rule with neither ports nor peers allows every destination, like an ipBlock over all addresses.
  const open = egress.some(
    (rule) =>
      (!rule.ports?.length && !rule.to?.length) ||
      (rule.to ?? []).some((peer: any) => ['0.0.0.0/0', '::/0'].includes(peer.ipBlock?.cidr)),
  );
  if (app === 'executor' && !open) out.push(`${at}: the executor cannot reach the outside`);
  if (app !== 'executor' && open) out.push(`${at}: ${app} may reach the outside`);
  return out;
}

function configMapViolations(objects: K8sObject[], expected: Record<string, string>): string[] {
  // The apps' configuration; the optional Grafana dashboard ConfigMap is not configuration.
  const maps = ofKind(objects, 'ConfigMap').filter((m) => !m.metadata.name.endsWith('-dashboard'));
  if (maps.length !== 1) return [`expected one configuration ConfigMap, found ${maps.length}`];
  const data = maps[0].data ?? {};
  return Object.entries(expected)
    .filter(([key, value]) => data[key] !== value)
    .map(([key, value]) => `ConfigMap: ${key} is ${JSON.stringify(data[key])}, expected ${JSON.stringify(value)}`);
}

function autoscalerViolations(objects: K8sObject[]): string[] {
  const out: string[] = [];
  const deployments = new Set(ofKind(objects, 'Deployment').map((d) => d.metadata.name));
  const targets = new Map<string, string[]>();
  const target = (name: string, by: string) => {
    if (!deployments.has(name)) out.push(`${by} scales ${name}, which is not rendered`);
    targets.set(name, [...(targets.get(name) ?? []), by]);
  };
  for (const hpa of ofKind(objects, 'HorizontalPodAutoscaler')) {
    target(hpa.spec?.scaleTargetRef?.name, `HorizontalPodAutoscaler ${hpa.metadata.name}`);
    if (!hpa.spec?.behavior?.scaleUp || !hpa.spec?.behavior?.scaleDown)
      out.push(`HorizontalPodAutoscaler ${hpa.metadata.name}: no scaleUp/scaleDown behavior`);
  }
  const prefix = ofKind(objects, 'ConfigMap')[0]?.data?.KAFKA_TOPIC_PREFIX ?? '';
  for (const scaled of ofKind(objects, 'ScaledObject')) {
    const at = `ScaledObject ${scaled.metadata.name}`;
    target(scaled.spec?.scaleTargetRef?.name, at);
    const consumer = CONSUMERS[componentOf(scaled)];
    const kafka = (scaled.spec?.triggers ?? []).filter((t: any) => t.type === 'kafka');
    if (!consumer) out.push(`${at}: ${componentOf(scaled)} consumes no topic`);
    else if (kafka.length !== 1) out.push(`${at}: expected one kafka trigger, found ${kafka.length}`);
    else {
      const { consumerGroup, topic, bootstrapServers } = kafka[0].metadata ?? {};
      if (consumerGroup !== prefix + consumer.group)
        out.push(`${at}: consumerGroup ${consumerGroup}, the app uses ${prefix + consumer.group}`);
      if (topic !== prefix + consumer.topic) out.push(`${at}: topic ${topic}, the app reads ${prefix + consumer.topic}`);
      if (!bootstrapServers) out.push(`${at}: no bootstrapServers`);
    }
    if (!scaled.spec?.advanced?.horizontalPodAutoscalerConfig?.behavior) out.push(`${at}: no HPA behavior`);
  }
  for (const [name, by] of targets) if (by.length > 1) out.push(`${name} is scaled by ${by.join(' and ')}`);
  return out;
}

/** A ServiceMonitor must scrape every app's Service on a port that Service has. */
function serviceMonitorViolations(objects: K8sObject[]): string[] {
  const services = ofKind(objects, 'Service');
  return ofKind(objects, 'ServiceMonitor').flatMap((monitor) => {
    const at = `ServiceMonitor ${monitor.metadata.name}`;
    const scraped = services.filter((s) => selects(monitor.spec?.selector, s.metadata.labels));
    const ports: string[] = (monitor.spec?.endpoints ?? []).map((e: any) => e.port);
    return [
      ...services.filter((s) => !scraped.includes(s)).map((s) => `${at}: does not select Service ${s.metadata.name}`),
      ...scraped
        .filter((s) => !ports.every((port) => (s.spec?.ports ?? []).some((p: any) => p.name === port)))
        .map((s) => `${at}: scrapes ports ${ports.join(', ')}, not all on Service ${s.metadata.name}`),
      ...(ports.length === 0 ? [`${at}: no endpoints`] : []),
    ];
  });
}

function hookJobViolations(objects: K8sObject[]): string[] {
  const jobs = ofKind(objects, 'Job');
  const out = jobs
    .filter((job) => !(Number(job.spec?.activeDeadlineSeconds) < HELM_DEFAULT_WAIT_SECONDS))
    .map(
      (job) =>
        `Job ${job.metadata.name}: activeDeadlineSeconds ${job.spec?.activeDeadlineSeconds} is not below Helm's ${HELM_DEFAULT_WAIT_SECONDS}s wait`,
    );
  if (!jobs.some((job) => componentOf(job) === 'migrate')) out.push('no migration Job');
  return out;
}
