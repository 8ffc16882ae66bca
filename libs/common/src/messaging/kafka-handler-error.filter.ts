import { Catch, RpcExceptionFilter } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';

/**
 * Nest's default RPC filter turns whatever a handler throws into `{ status: 'error', message:
 * 'Internal server error' }`. KafkaConsumerServer needs the error itself for its retry log lines and
 * the DLQ record, so every @EventPattern controller it serves binds this filter.
 */
@Catch()
export class KafkaHandlerErrorFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
