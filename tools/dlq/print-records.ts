import { formatRef } from './dlq-arguments';
import { DlqRecord } from './dlq-record';

/** The `list` line of a record, as JSON-friendly fields. */
export function recordSummary(r: DlqRecord) {
  return {
    dlqRecord: formatRef(r.ref),
    dlqTopic: r.ref.topic,
    partition: r.ref.partition,
    offset: r.ref.offset,
    originalTopic: r.original.topic,
    originalPartition: r.original.partition,
    originalOffset: r.original.offset,
    group: r.group,
    messageId: r.messageId,
    type: r.type,
    serviceCallId: r.serviceCallId,
    attempts: r.attempts,
    error: r.error,
    failedAt: r.failedAt,
  };
}

const COLUMNS = [
  'DLQ RECORD',
  'ORIGIN',
  'GROUP',
  'MESSAGE ID',
  'TYPE',
  'SERVICE CALL',
  'ATTEMPTS',
  'FAILED AT',
  'ERROR',
] as const;

export function listTable(records: readonly DlqRecord[]): string {
  const rows = records.map((r) => [
    formatRef(r.ref),
    `${r.original.topic}:${r.original.partition ?? '?'}:${r.original.offset ?? '?'}`,
    r.group ?? '-',
    r.messageId ?? '-',
    r.type ?? '-',
    r.serviceCallId ?? '-',
    String(r.attempts ?? '-'),
    r.failedAt ?? '-',
    oneLine(r.error, 200),
  ]);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(COLUMNS), ...rows.map(line)].join('\n');
}

/** One record whole: position, headers, key and the value pretty-printed when it is JSON. */
export function showRecord(r: DlqRecord): string {
  const out = [
    `record:  ${formatRef(r.ref)}`,
    `origin:  ${r.original.topic}:${r.original.partition ?? '?'}:${r.original.offset ?? '?'}`,
    'headers:',
  ];
  const width = Math.max(0, ...Object.keys(r.headers).map((h) => h.length));
  for (const [name, value] of Object.entries(r.headers).sort(([a], [b]) => a.localeCompare(b)))
    out.push(`  ${name.padEnd(width)}  ${value}`);
  out.push(`key:     ${r.key === null ? '(none)' : r.key.toString('utf8')}`);
  out.push('value:');
  out.push(indent(prettyValue(r.value)));
  return out.join('\n');
}

function prettyValue(value: Buffer | null): string {
  if (value === null) return '(none)';
  const text = value.toString('utf8');
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point: they mean binary.
    return /[\u0000-\u0008\u000e-\u001f]/.test(text) || !Buffer.from(text, 'utf8').equals(value)
      ? `(not text; base64) ${value.toString('base64')}`
      : text;
  }
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
const oneLine = (text: string, max: number) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat || '-';
};
