import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startBroker } from '../infra/broker';
import { dockerEngineAnswers } from '../infra/docker-engine';
import { projectRoot } from '../infra/project-root';
import { RunningService } from '../infra/running-service';
import { waitForPort } from '../infra/wait-for-port';

/** KAFKA_BROKERS when given, else Redpanda through Docker Compose when a Docker engine answers, else a local Kafka. */
export async function startStackBroker(log: (line: string) => void): Promise<RunningService> {
  if (process.env.KAFKA_BROKERS) return startBroker('given', log);
  if (dockerEngineAnswers()) {
    const compose = ['compose', '-f', join(projectRoot(), 'docker', 'docker-compose.yml')];
    execFileSync('docker', [...compose, 'up', '-d', '--wait', 'redpanda'], { stdio: 'inherit' });
    await waitForPort(19092, 60_000);
    return {
      address: '127.0.0.1:19092',
      description: 'Redpanda (Docker Compose) on 127.0.0.1:19092',
      stop: async () => {
        execFileSync('docker', [...compose, 'stop', 'redpanda'], { stdio: 'inherit' });
      },
    };
  }
  return startBroker('local-kafka', log);
}
