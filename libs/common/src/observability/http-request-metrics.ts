import { Injectable, OnModuleInit } from '@nestjs/common';
import { AbstractHttpAdapter, HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { httpRequestDuration } from './metrics';
import { RoutedRequest, routeLabel } from './route-label';

/**
 * Times every request the app's HTTP server receives into http_server_request_duration_seconds.
 * It listens on the server itself rather than in Express's middleware chain, so requests refused
 * before any middleware of ours (413, malformed JSON, 404) are counted as well.
 */
@Injectable()
export class HttpRequestMetrics implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost<AbstractHttpAdapter<Server>>) {}

  onModuleInit(): void {
    const server: Server | undefined = this.adapterHost.httpAdapter?.getHttpServer();
    server?.on('request', (req: IncomingMessage & RoutedRequest, res: ServerResponse) => {
      const stopTimer = httpRequestDuration.startTimer();
      res.once('finish', () =>
        stopTimer({ method: req.method ?? 'UNKNOWN', route: routeLabel(req), status_code: String(res.statusCode) }),
      );
    });
  }
}
