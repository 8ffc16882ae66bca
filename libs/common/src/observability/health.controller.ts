import { Controller, Get, Header, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { appReady, metricsRegistry } from './metrics';
import { READINESS_CHECKS, ReadinessCheck } from './readiness';

/** Liveness, readiness and Prometheus metrics, served by every app on its PORT. */
@ApiExcludeController()
@Controller()
export class OpsController {
  constructor(@Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[]) {}

  @Get('health/live')
  @HttpCode(200)
  live() {
    return { status: 'ok' };
  }

  @Get('health/ready')
  async ready(@Res() res: Response) {
    const { ready, checks } = await this.readiness();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  }

  @Get('metrics')
  @Header('Content-Type', metricsRegistry.contentType)
  async metrics() {
    // Readiness as a series too, so an alert sees a pod that is up but not ready.
    appReady.set((await this.readiness()).ready ? 1 : 0);
    return metricsRegistry.metrics();
  }

  private async readiness() {
    const results = await Promise.all(
      this.checks.map(async (c) => [c.name, await Promise.resolve(c.isReady()).catch(() => false)] as const),
    );
    return { ready: results.every(([, ok]) => ok), checks: Object.fromEntries(results) };
  }
}
