import { Controller, Get, Header, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { metricsRegistry } from './metrics';
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
    const results = await Promise.all(this.checks.map(async (c) => [c.name, await Promise.resolve(c.isReady()).catch(() => false)] as const));
    const ready = results.every(([, ok]) => ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) });
  }

  @Get('metrics')
  @Header('Content-Type', metricsRegistry.contentType)
  async metrics() {
    return metricsRegistry.metrics();
  }
}
