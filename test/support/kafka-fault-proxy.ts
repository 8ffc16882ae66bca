import { AddressInfo, createServer, connect, Server, Socket } from 'node:net';

/** The Kafka API keys this proxy reads (https://kafka.apache.org/protocol#protocol_api_keys). */
export const API = {
  produce: 0,
  metadata: 3,
  findCoordinator: 10,
  joinGroup: 11,
  heartbeat: 12,
  initProducerId: 22,
} as const;

/** Broker error codes a test may answer with (kafkajs/src/protocol/error.js names the same codes). */
export const BROKER_ERROR = {
  /** COORDINATOR_LOAD_IN_PROGRESS (kafkajs: GROUP_LOAD_IN_PROGRESS), retriable. */
  coordinatorLoading: 14,
  /** NOT_COORDINATOR, retriable: the coordinator moved. */
  notCoordinator: 16,
  /** REBALANCE_IN_PROGRESS: a heartbeat's way to say "rejoin". */
  rebalanceInProgress: 27,
  /** GROUP_AUTHORIZATION_FAILED, not retriable: no wait makes the group joinable. */
  groupAuthorizationFailed: 30,
  /** OUT_OF_ORDER_SEQUENCE_NUMBER, not retriable: the broker and an idempotent producer disagree on its sequence. */
  outOfOrderSequenceNumber: 45,
} as const;

type FailingApi = typeof API.produce | typeof API.findCoordinator | typeof API.joinGroup | typeof API.heartbeat;

export interface InjectedAnswer {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly errorCode: number;
  readonly at: number;
}

/**
 * A TCP proxy in front of one real broker that speaks just enough of the Kafka protocol to play a
 * coordinator that is not ready: requests of an API it is told to fail are answered by the proxy
 * itself, in the broker's wire format, with the given error code, and never reach the broker.
 * Everything else passes through untouched, except that broker addresses in Metadata and
 * FindCoordinator answers are rewritten to the proxy's, so a client that follows them stays behind
 * it. One broker only (a single-node test cluster): every connection goes to it.
 */
export class KafkaFaultProxy {
  /** Every answer the proxy made up, in order. */
  readonly injected: InjectedAnswer[] = [];
  private readonly failing = new Map<number, number>();
  /** How many more requests of an API to refuse, when bounded. */
  private readonly remaining = new Map<number, number>();
  /** Every request seen, by API key (forwarded or refused). */
  private readonly seen = new Map<number, number>();
  /** The size on the wire of every request seen, by API key. */
  private readonly sizes = new Map<number, number[]>();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly brokerHost: string,
    private readonly brokerPort: number,
  ) {
    server.on('connection', (client) => this.pipe(client));
  }

  static async start(broker: string): Promise<KafkaFaultProxy> {
    const at = broker.lastIndexOf(':');
    const server = createServer();
    const proxy = new KafkaFaultProxy(server, broker.slice(0, at), Number(broker.slice(at + 1)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** host:port for KAFKA_BROKERS. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** From now on, answers every request of `apiKey` (or the next `times` of them) with `errorCode` instead of forwarding it. */
  fail(apiKey: FailingApi, errorCode: number, times?: number): void {
    this.failing.set(apiKey, errorCode);
    if (times !== undefined) this.remaining.set(apiKey, times);
  }

  /** Forwards every request again. */
  heal(): void {
    this.failing.clear();
    this.remaining.clear();
  }

  /** How many requests of an API went through the proxy so far, refused or not. */
  requests(apiKey: number): number {
    return this.seen.get(apiKey) ?? 0;
  }

  /** The size of each request of an API that went through the proxy so far, in bytes on the wire (size prefix included). */
  requestSizes(apiKey: number): number[] {
    return [...(this.sizes.get(apiKey) ?? [])];
  }

  /** Injected answers to one API since `since` (ms epoch). */
  answers(apiKey: number, since = 0): InjectedAnswer[] {
    return this.injected.filter((a) => a.apiKey === apiKey && a.at >= since);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private pipe(client: Socket): void {
    const upstream = connect({ host: this.brokerHost, port: this.brokerPort });
    this.sockets.add(client).add(upstream);
    // What each request asked for, to read its answer (answers carry only the correlation id).
    const asked = new Map<number, { apiKey: number; apiVersion: number }>();
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    // Both directions are cut into whole frames, so a made-up answer never lands inside a forwarded one.
    client.on(
      'data',
      frames((frame) => {
        const apiKey = frame.readInt16BE(4);
        const apiVersion = frame.readInt16BE(6);
        const correlationId = frame.readInt32BE(8);
        this.seen.set(apiKey, (this.seen.get(apiKey) ?? 0) + 1);
        const sizes = this.sizes.get(apiKey) ?? [];
        sizes.push(frame.length);
        this.sizes.set(apiKey, sizes);
        const errorCode = this.failing.get(apiKey);
        const left = this.remaining.get(apiKey);
        if (left !== undefined && errorCode !== undefined) {
          if (left <= 1) {
            this.failing.delete(apiKey);
            this.remaining.delete(apiKey);
          } else this.remaining.set(apiKey, left - 1);
        }
        if (errorCode === undefined) {
          asked.set(correlationId, { apiKey, apiVersion });
          upstream.write(frame);
          return;
        }
        this.injected.push({ apiKey, apiVersion, errorCode, at: Date.now() });
        client.write(frame32(correlationId, errorAnswer(apiKey, apiVersion, errorCode, frame)));
      }),
    );
    upstream.on(
      'data',
      frames((frame) => {
        const correlationId = frame.readInt32BE(4);
        const request = asked.get(correlationId);
        asked.delete(correlationId);
        if (!request) return void client.write(frame);
        const body = frame.subarray(8);
        const rewritten =
          request.apiKey === API.metadata
            ? withMetadataBrokersAt(body, request.apiVersion, this.port)
            : request.apiKey === API.findCoordinator
              ? withCoordinatorAt(body, request.apiVersion, this.port)
              : body;
        client.write(rewritten === body ? frame : frame32(correlationId, rewritten));
      }),
    );
  }
}

/** Calls `onFrame` with each whole size-prefixed frame of a byte stream. */
function frames(onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const size = 4 + pending.readInt32BE(0);
      onFrame(pending.subarray(0, size));
      pending = pending.subarray(size);
    }
  };
}

/** A response frame: size, the (non-flexible, v0) header with the correlation id, the body. */
function frame32(correlationId: number, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeInt32BE(4 + body.length, 0);
  head.writeInt32BE(correlationId, 4);
  return Buffer.concat([head, body]);
}

/** The body a broker sends when it refuses the request with `errorCode`, for the versions kafkajs 2.2 speaks (and Produce v9-v11, which @platformatic/kafka speaks). */
function errorAnswer(apiKey: number, version: number, errorCode: number, request: Buffer): Buffer {
  const w = new Writer();
  switch (apiKey) {
    case API.produce: {
      if (version >= 9 && version <= 11) return flexibleProduceErrorAnswer(request, errorCode);
      // Request v3-v7: header (size api_key api_version correlation_id client_id), transactional_id acks
      // timeout_ms [topic [partition records]]. Response v3-v7: [topic [partition error_code base_offset
      // log_append_time_ms log_start_offset (v5+)]] throttle_time_ms.
      if (version < 3 || version > 7) break;
      const r = new Reader(request.subarray(12));
      r.string();
      r.string();
      r.int16();
      r.int32();
      const topics = r.int32();
      w.int32(topics);
      for (let t = 0; t < topics; t++) {
        w.string(r.string() ?? '');
        const partitions = r.int32();
        w.int32(partitions);
        for (let p = 0; p < partitions; p++) {
          w.int32(r.int32()).int16(errorCode).int64(-1).int64(-1);
          if (version >= 5) w.int64(-1);
          r.skip(r.int32());
        }
      }
      return w.int32(0).done();
    }
    case API.findCoordinator:
      // v0: error_code coordinator; v1-v2: throttle_time_ms error_code error_message coordinator
      if (version > 2) break;
      if (version >= 1) w.int32(0);
      w.int16(errorCode);
      if (version >= 1) w.nullableString(null);
      return w.int32(-1).string('').int32(-1).done();
    case API.joinGroup:
      // v0-v1: error_code generation_id group_protocol leader_id member_id members; v2-v5: throttle_time_ms first
      if (version > 5) break;
      if (version >= 2) w.int32(0);
      return w.int16(errorCode).int32(-1).string('').string('').string('').int32(0).done();
    case API.heartbeat:
      // v0: error_code; v1-v3: throttle_time_ms error_code
      if (version > 3) break;
      if (version >= 1) w.int32(0);
      return w.int16(errorCode).done();
  }
  throw new Error(`kafka fault proxy: cannot answer api ${apiKey} v${version}`);
}

/**
 * Produce v9-v11 (flexible), as answered with `errorCode` for every partition asked for.
 * Request, after the size: api_key api_version correlation_id client_id (STRING) header tags,
 * then transactional_id acks timeout_ms [topic [partition records tags] tags] tags (compact arrays).
 * Answer: the response header's tags, then [topic [partition error_code base_offset
 * log_append_time_ms log_start_offset record_errors error_message tags] tags] throttle_time_ms tags.
 */
function flexibleProduceErrorAnswer(request: Buffer, errorCode: number): Buffer {
  const r = new Reader(request.subarray(12));
  r.string();
  r.tags();
  r.compactString();
  r.int16();
  r.int32();
  const w = new Writer().tags();
  const topics = r.uvarint() - 1;
  w.uvarint(topics + 1);
  for (let t = 0; t < topics; t++) {
    w.compactString(r.compactString() ?? '');
    const partitions = r.uvarint() - 1;
    w.uvarint(partitions + 1);
    for (let p = 0; p < partitions; p++) {
      w.int32(r.int32()).int16(errorCode).int64(-1).int64(-1).int64(-1).uvarint(1).compactString(null).tags();
      r.skip(r.uvarint() - 1);
      r.tags();
    }
    r.tags();
    w.tags();
  }
  return w.int32(0).tags().done();
}

/** Metadata v9-v12 (flexible): header tags, throttle_time_ms, brokers [node_id host port rack tags] ...rest. */
function withFlexibleMetadataBrokersAt(body: Buffer, port: number): Buffer {
  const r = new Reader(body);
  r.tags();
  const w = new Writer().tags().int32(r.int32());
  const count = r.uvarint() - 1;
  w.uvarint(count + 1);
  for (let i = 0; i < count; i++) {
    w.int32(r.int32());
    r.compactString();
    r.int32();
    w.compactString('127.0.0.1').int32(port).compactString(r.compactString());
    r.tags();
    w.tags();
  }
  return w.raw(r.rest()).done();
}

/** Metadata v0-v8 (non-flexible): [throttle_time_ms (v3+)] brokers [node_id host port rack (v1+)] ...rest. */
function withMetadataBrokersAt(body: Buffer, version: number, port: number): Buffer {
  if (version >= 9 && version <= 12) return withFlexibleMetadataBrokersAt(body, port);
  if (version > 8) throw new Error(`kafka fault proxy: cannot rewrite Metadata v${version}`);
  const r = new Reader(body);
  const w = new Writer();
  if (version >= 3) w.int32(r.int32());
  const count = r.int32();
  w.int32(count);
  for (let i = 0; i < count; i++) {
    w.int32(r.int32());
    r.string();
    r.int32();
    w.string('127.0.0.1').int32(port);
    if (version >= 1) w.nullableString(r.string());
  }
  return w.raw(r.rest()).done();
}

/** FindCoordinator v0-v2: the coordinator's host and port become the proxy's (a refusal is left alone). */
function withCoordinatorAt(body: Buffer, version: number, port: number): Buffer {
  if (version > 2) throw new Error(`kafka fault proxy: cannot rewrite FindCoordinator v${version}`);
  const r = new Reader(body);
  const w = new Writer();
  if (version >= 1) w.int32(r.int32());
  const errorCode = r.int16();
  if (errorCode !== 0) return body;
  w.int16(errorCode);
  if (version >= 1) w.nullableString(r.string());
  w.int32(r.int32());
  r.string();
  r.int32();
  return w.string('127.0.0.1').int32(port).done();
}

class Reader {
  private at = 0;
  constructor(private readonly buffer: Buffer) {}
  int16(): number {
    return this.buffer.readInt16BE((this.at += 2) - 2);
  }
  int32(): number {
    return this.buffer.readInt32BE((this.at += 4) - 4);
  }
  /** A (nullable) STRING: int16 length, -1 for null. */
  string(): string | null {
    const length = this.int16();
    if (length < 0) return null;
    return this.buffer.toString('utf8', this.at, (this.at += length));
  }
  /** An unsigned varint (flexible versions' lengths and tag counts). */
  uvarint(): number {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = this.buffer[this.at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  }
  /** A COMPACT_(NULLABLE_)STRING: uvarint length + 1, 0 for null. */
  compactString(): string | null {
    const length = this.uvarint() - 1;
    if (length < 0) return null;
    return this.buffer.toString('utf8', this.at, (this.at += length));
  }
  /** Skips a tagged-fields section. */
  tags(): void {
    for (let n = this.uvarint(); n > 0; n--) {
      this.uvarint();
      this.skip(this.uvarint());
    }
  }
  rest(): Buffer {
    return this.buffer.subarray(this.at);
  }
  skip(bytes: number): void {
    if (bytes > 0) this.at += bytes;
  }
}

class Writer {
  private readonly parts: Buffer[] = [];
  int16(value: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(value);
    return this.raw(b);
  }
  int32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(value);
    return this.raw(b);
  }
  int64(value: number): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(value));
    return this.raw(b);
  }
  string(value: string): this {
    const bytes = Buffer.from(value, 'utf8');
    return this.int16(bytes.length).raw(bytes);
  }
  nullableString(value: string | null): this {
    return value === null ? this.int16(-1) : this.string(value);
  }
  uvarint(value: number): this {
    const bytes: number[] = [];
    for (; value >= 0x80; value = Math.floor(value / 0x80)) bytes.push((value & 0x7f) | 0x80);
    bytes.push(value);
    return this.raw(Buffer.from(bytes));
  }
  compactString(value: string | null): this {
    if (value === null) return this.uvarint(0);
    const bytes = Buffer.from(value, 'utf8');
    return this.uvarint(bytes.length + 1).raw(bytes);
  }
  /** An empty tagged-fields section. */
  tags(): this {
    return this.uvarint(0);
  }
  raw(bytes: Buffer): this {
    this.parts.push(bytes);
    return this;
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}
