import Ajv, { ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { APP_SHUTDOWN_SECONDS } from './app-shutdown';

export type ComposeFile = { services: Record<string, any>; [key: string]: any };

/** The Compose Specification's JSON schema as compose-go ships it, carried by the docker-compose npm package. */
const COMPOSE_SCHEMA_PATH = require.resolve('docker-compose/schema/compose-spec.json');

/** DESIGN.md §6: what every app reads, and what only some of them need. */
const COMMON_ENV = ['DATABASE_URL', 'KAFKA_BROKERS', 'KAFKA_PARTITIONS', 'PORT', 'LOG_LEVEL'];
export const APP_ENV: Record<string, string[]> = {
  gateway: [...COMMON_ENV, 'GATEWAY_API_KEYS', 'SECRETS_ENCRYPTION_KEY'],
  'scheduler-core': COMMON_ENV,
  executor: [...COMMON_ENV, 'SECRETS_ENCRYPTION_KEY', 'EXECUTOR_ALLOW_PRIVATE_TARGETS', 'EXECUTOR_MAX_IN_FLIGHT'],
  projector: COMMON_ENV,
};
/** What an app may only start after: healthy infrastructure, then migrations and topics done. */
const APP_DEPENDS_ON: Record<string, string> = {
  postgres: 'service_healthy',
  redpanda: 'service_healthy',
  migrate: 'service_completed_successfully',
  'create-topics': 'service_completed_successfully',
};
/** Active Node LTS lines (Node 20 left support on 2026-04-30). */
const SUPPORTED_NODE = /^node:(22|24)([.-][\w.-]+)?(@sha256:[0-9a-f]{64})?$/;

/** Violations of the Compose Specification schema, one line each. */
export function composeSchemaViolations(compose: ComposeFile): string[] {
  const validate = composeValidator();
  if (validate(compose)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}

let compiled: ValidateFunction | undefined;
function composeValidator(): ValidateFunction {
  if (compiled) return compiled;
  // Its "$schema" names draft-07 by an https URL ajv does not know; ajv's default dialect is draft-07 anyway.
  const { $schema: _draft, ...schema } = JSON.parse(readFileSync(COMPOSE_SCHEMA_PATH, 'utf8'));
  compiled = new Ajv({ allErrors: true, strict: false }).compile(schema);
  return compiled;
}

/** The project's own rules for docker/docker-compose.yml; [] when all hold. */
export function composePolicyViolations(compose: ComposeFile, composePath: string, dockerfilePath: string): string[] {
  const out: string[] = [];
  for (const [name, service] of Object.entries(compose.services)) {
    const at = `service ${name}`;
    if (service.image !== undefined && !pinnedImage(service.image))
      out.push(`${at}: image ${service.image} is not pinned to a version tag`);
    if (service.build !== undefined) {
      // The Dockerfile copies the whole repository: the context is its root, the file docker/Dockerfile.
      const context = resolve(dirname(composePath), service.build.context ?? '.');
      const dockerfile = resolve(context, service.build.dockerfile ?? 'Dockerfile');
      if (context !== resolve(dirname(dockerfilePath), '..'))
        out.push(`${at}: build context ${context} is not the repository root`);
      if (dockerfile !== resolve(dockerfilePath)) out.push(`${at}: builds ${dockerfile}, not docker/Dockerfile`);
    }
    const dependsOn: Record<string, any> = Array.isArray(service.depends_on)
      ? Object.fromEntries(service.depends_on.map((d: string) => [d, {}]))
      : (service.depends_on ?? {});
    for (const [dependency, spec] of Object.entries(dependsOn)) {
      if (!compose.services[dependency]) out.push(`${at}: depends on unknown service ${dependency}`);
      if (spec?.condition === 'service_healthy' && !compose.services[dependency]?.healthcheck)
        out.push(`${at}: waits for ${dependency} to be healthy, which has no healthcheck`);
    }
  }
  for (const [app, vars] of Object.entries(APP_ENV)) {
    const service = compose.services[app];
    if (!service) {
      out.push(`no service ${app}`);
      continue;
    }
    const at = `service ${app}`;
    if (!service.healthcheck?.test) out.push(`${at}: no healthcheck`);
    const grace = durationSeconds(service.stop_grace_period ?? '10s');
    if (grace === undefined || grace < APP_SHUTDOWN_SECONDS)
      out.push(
        `${at}: stop_grace_period ${service.stop_grace_period ?? '10s (the default)'} is shorter than its ${APP_SHUTDOWN_SECONDS} s shutdown`,
      );
    if (service.build === undefined) out.push(`${at}: not built from docker/Dockerfile`);
    if (Array.isArray(service.depends_on)) out.push(`${at}: depends_on without conditions`);
    for (const [dependency, condition] of Object.entries(APP_DEPENDS_ON)) {
      const actual = service.depends_on?.[dependency]?.condition;
      if (actual !== condition) out.push(`${at}: depends_on ${dependency} with condition ${actual}, expected ${condition}`);
    }
    const env = environmentOf(service);
    for (const variable of vars) if (env[variable] === undefined) out.push(`${at}: no ${variable} in its environment`);
    const published = (service.ports ?? []).map((p: any) =>
      String(typeof p === 'object' ? p.target : String(p).split(':').pop()),
    );
    if (published.length > 0 && !published.includes(env.PORT))
      out.push(`${at}: publishes ${published.join(', ')} but listens on PORT ${env.PORT}`);
  }
  return out;
}

/** Every FROM of the Dockerfile, with ARG defaults substituted, on a supported Node LTS image. */
export function dockerfileViolations(dockerfile: string): string[] {
  const args = new Map<string, string>();
  const stages = new Set<string>();
  const out: string[] = [];
  let froms = 0;
  for (const line of dockerfile.split('\n').map((l) => l.trim())) {
    const arg = /^ARG\s+(\w+)=(\S+)/i.exec(line);
    if (arg) args.set(arg[1], arg[2]);
    const from = /^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (!from) continue;
    froms += 1;
    const image = from[1].replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => args.get(a ?? b) ?? '');
    if (!stages.has(image) && !SUPPORTED_NODE.test(image))
      out.push(`FROM ${from[1]} (= ${image}) is not node:22 or node:24 with a tag`);
    if (from[2]) stages.add(from[2]);
  }
  if (froms === 0) out.push('no FROM line');
  return out;
}

/** A Compose duration such as `15s`, `1m30s` or `500ms`, in seconds; undefined when it is not one. */
function durationSeconds(value: string): number | undefined {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 0.000001 };
  const parts = [...String(value).matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== String(value)) return undefined;
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * units[unit], 0);
}

function pinnedImage(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const tag = /:([\w][\w.-]*)$/.exec(image.slice(image.lastIndexOf('/') + 1))?.[1];
  return tag !== undefined && tag !== 'latest' && !tag.startsWith('$');
}

function environmentOf(service: any): Record<string, string> {
  const env = service.environment ?? {};
  if (!Array.isArray(env))
    return Object.fromEntries(
      Object.entries(env).map(([k, v]) => [k, v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v)]),
    );
  return Object.fromEntries(env.map((entry: string) => [entry.split('=')[0], entry.slice(entry.indexOf('=') + 1)]));
}
