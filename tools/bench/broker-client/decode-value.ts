/** What our handlers do first with every record: parse the envelope (decodeEnvelope's work). */
export function decodeValue(value: Buffer | null | undefined): void {
  if (!value) throw new Error('message has no value');
  const envelope = JSON.parse(value.toString('utf8')) as { messageId?: unknown };
  if (typeof envelope.messageId !== 'string') throw new Error('envelope lacks messageId');
}
