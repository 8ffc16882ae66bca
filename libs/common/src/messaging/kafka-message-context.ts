import { BaseRpcContext } from '@nestjs/microservices';

type Args = [topic: string, partition: number, offset: string, deliveryAttempt: number];

/** What a handler may know about the Kafka record it is processing. */
export class KafkaMessageContext extends BaseRpcContext<Args> {
  get topic(): string {
    return this.args[0];
  }
  get partition(): number {
    return this.args[1];
  }
  get offset(): string {
    return this.args[2];
  }
  /** 1 on the first try; retries of the same record count up. */
  get deliveryAttempt(): number {
    return this.args[3];
  }
}
