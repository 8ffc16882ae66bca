import { RunningService } from '../../tools/infra/running-service';

export default async function globalTeardown(): Promise<void> {
  const services = ((globalThis as Record<string, unknown>).__SCS_SERVICES__ ?? []) as RunningService[];
  await Promise.all(services.map((s) => s.stop()));
}
