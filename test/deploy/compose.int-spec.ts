import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '../../tools/infra/project-root';
import { ComposeFile, composePolicyViolations, composeSchemaViolations, dockerfileViolations } from './compose-policies';

const COMPOSE_PATH = join(projectRoot(), 'docker/docker-compose.yml');
const DOCKERFILE_PATH = join(projectRoot(), 'docker/Dockerfile');
/** Compose resolves `<<:` merge keys (YAML 1.1), so the file is read the same way. */
const readCompose = (): ComposeFile => parse(readFileSync(COMPOSE_PATH, 'utf8'), { merge: true });

describe('docker/docker-compose.yml and docker/Dockerfile', () => {
  it('the Compose file matches the Compose Specification schema', () => {
    expect(composeSchemaViolations(readCompose())).toEqual([]);
  });

  it('every app has a healthcheck, conditional depends_on, its configuration, pinned images and docker/Dockerfile', () => {
    expect(composePolicyViolations(readCompose(), COMPOSE_PATH, DOCKERFILE_PATH)).toEqual([]);
  });

  it('the Dockerfile builds on a supported Node LTS while the code still supports Node 20.18', () => {
    expect(dockerfileViolations(readFileSync(DOCKERFILE_PATH, 'utf8'))).toEqual([]);
    expect(JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')).engines.node).toBe('>=20.18');
  });

  describe('fails on what it must catch', () => {
    it('a schema violation', () => {
      const compose = readCompose();
      const projector = compose.services.projector;
      compose.services.projector = { ...projector, healthcheck: { ...projector.healthcheck, interval: 5 }, helthcheck: {} };
      const violations = composeSchemaViolations(compose).join('\n');
      expect(violations).toMatch(/\/services\/projector must NOT have additional properties .*helthcheck/);
      expect(violations).toMatch(/\/services\/projector\/healthcheck\/interval must be string/);
    });

    it('missing healthcheck, conditions, configuration, pins and Dockerfile', () => {
      const compose = readCompose();
      const { healthcheck: _gone, ...gateway } = compose.services.gateway;
      compose.services.gateway = { ...gateway, depends_on: ['postgres'], build: { context: '.', dockerfile: 'Dockerfile' } };
      compose.services.projector = { ...compose.services.projector, build: { context: '..', dockerfile: 'Dockerfile' } };
      const { EXECUTOR_MAX_IN_FLIGHT: _unset, ...executorEnv } = compose.services.executor.environment;
      compose.services.executor = { ...compose.services.executor, environment: executorEnv };
      const { stop_grace_period: _default, ...projector } = compose.services.projector;
      compose.services.projector = projector;
      compose.services['scheduler-core'] = { ...compose.services['scheduler-core'], stop_grace_period: '12s' };
      compose.services.postgres = { ...compose.services.postgres, image: 'postgres:latest' };
      compose.services['redpanda-console'] = { ...compose.services['redpanda-console'], image: 'redpandadata/console' };
      const violations = composePolicyViolations(compose, COMPOSE_PATH, DOCKERFILE_PATH).join('\n');
      for (const expected of [
        /service gateway: no healthcheck/,
        /service gateway: depends_on without conditions/,
        /service gateway: build context .*\/docker is not the repository root/,
        /service projector: builds .*\/Dockerfile, not docker\/Dockerfile/,
        /service executor: no EXECUTOR_MAX_IN_FLIGHT/,
        /service projector: stop_grace_period 10s \(the default\) is shorter than its 15 s shutdown/,
        /service scheduler-core: stop_grace_period 12s is shorter than its 15 s shutdown/,
        /service postgres: image postgres:latest is not pinned/,
        /service redpanda-console: image redpandadata\/console is not pinned/,
      ]) {
        expect(violations).toMatch(expected);
      }
    });

    it('a Node 20 or untagged base image', () => {
      expect(
        dockerfileViolations('ARG NODE_IMAGE=node:20-bookworm-slim\nFROM ${NODE_IMAGE} AS build\nFROM build AS runtime\n'),
      ).toEqual(['FROM ${NODE_IMAGE} (= node:20-bookworm-slim) is not node:22 or node:24 with a tag']);
      expect(dockerfileViolations('FROM node AS build\n')).toHaveLength(1);
      expect(dockerfileViolations('FROM node:24.11.1-bookworm-slim AS build\nFROM build\n')).toEqual([]);
    });
  });
});
