import { Kafka } from '@app/common/messaging/kafkajs';
import { createProducer, TopicNamespace } from '@app/common/messaging';
import { DlqCommand, formatRef, RecordRef } from './dlq-arguments';
import { DlqRecord, readDlqRecord, replayMessage } from './dlq-record';
import { selectDlqTopics } from './dlq-topics';
import { listTable, recordSummary, showRecord } from './print-records';
import { readTopicsToEnd } from './read-topics';
import { ReplayLog } from './replay-log';

export interface DlqContext {
  readonly kafka: Kafka;
  readonly namespace: TopicNamespace;
  /** Opened only by `replay`: list and show need no database. */
  readonly openReplayLog: () => Promise<ReplayLog>;
  readonly print: (text: string) => void;
}

/** A record the operator named does not exist (exit 1; the command line itself was fine). */
export class RecordNotFoundError extends Error {
  override readonly name = 'RecordNotFoundError';
}

export async function runDlqCommand(command: DlqCommand, ctx: DlqContext): Promise<void> {
  switch (command.kind) {
    case 'list': {
      const records = await readRecords(ctx, selectDlqTopics(ctx.namespace, command.topic));
      if (command.json) ctx.print(JSON.stringify(records.map(recordSummary), null, 2));
      else ctx.print(records.length === 0 ? 'no DLQ records' : `${listTable(records)}\n${records.length} DLQ record(s)`);
      return;
    }
    case 'show':
      ctx.print(showRecord(await readOne(ctx, command.ref)));
      return;
    case 'replay': {
      const records = command.ref
        ? [await readOne(ctx, command.ref)]
        : await readRecords(ctx, selectDlqTopics(ctx.namespace, command.topic));
      await replay(ctx, records, command.json);
      return;
    }
    default: {
      const unexpected: never = command;
      throw new Error(`unknown command ${(unexpected as { kind: string }).kind}`);
    }
  }
}

async function readRecords(ctx: DlqContext, topics: readonly string[], partition?: number): Promise<DlqRecord[]> {
  const raw = await readTopicsToEnd(ctx.kafka, topics, { groupPrefix: ctx.namespace.prefix, partition });
  return raw.map((r) => readDlqRecord(r.topic, r.partition, r.message));
}

async function readOne(ctx: DlqContext, ref: RecordRef): Promise<DlqRecord> {
  const [topic] = selectDlqTopics(ctx.namespace, ref.topic);
  const found = (await readRecords(ctx, [topic], ref.partition)).find((r) => r.ref.offset === ref.offset);
  if (!found) throw new RecordNotFoundError(`no DLQ record at ${formatRef({ ...ref, topic })}`);
  return found;
}

async function replay(ctx: DlqContext, records: readonly DlqRecord[], json: boolean): Promise<void> {
  if (records.length === 0) {
    ctx.print(json ? JSON.stringify({ replayed: [], alreadyReplayed: [] }) : 'no DLQ records to replay');
    return;
  }
  const log = await ctx.openReplayLog();
  const producer = createProducer(ctx.kafka);
  try {
    await producer.connect();
    const { sent, earlier } = await log.replayOnce(records, async (fresh) => {
      const byTopic = new Map<string, DlqRecord[]>();
      for (const r of fresh) byTopic.set(r.original.topic, [...(byTopic.get(r.original.topic) ?? []), r]);
      await producer.sendBatch({
        topicMessages: [...byTopic].map(([topic, rs]) => ({ topic, messages: rs.map(replayMessage) })),
      });
    });
    const replayed = sent.map((r) => ({
      dlqRecord: formatRef(r.ref),
      to: r.original.topic,
      messageId: r.messageId,
      type: r.type,
    }));
    const already = [...earlier.values()];
    if (json) {
      ctx.print(JSON.stringify({ replayed, alreadyReplayed: already }, null, 2));
      return;
    }
    for (const r of replayed)
      ctx.print(`replayed ${r.dlqRecord} -> ${r.to} (${r.type ?? 'unknown type'}, messageId ${r.messageId ?? '-'})`);
    for (const a of already) ctx.print(`already replayed ${a.ref} at ${a.replayedAt} by ${a.replayedBy}; not sent again`);
    ctx.print(`${replayed.length} replayed, ${already.length} already replayed`);
  } finally {
    await producer.disconnect().catch(() => undefined);
    await log.close();
  }
}
