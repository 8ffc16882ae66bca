import { parseDlqArguments, parseRef, UsageError } from './dlq-arguments';

describe('parseDlqArguments', () => {
  it('reads list, show and replay', () => {
    expect(parseDlqArguments(['list'])).toEqual({ kind: 'list', topic: undefined, json: false });
    expect(parseDlqArguments(['list', '--all', '--json'])).toEqual({ kind: 'list', topic: undefined, json: true });
    expect(parseDlqArguments(['list', '--topic', 'scheduler.commands.v1.dlq.scheduler-core'])).toMatchObject({
      topic: 'scheduler.commands.v1.dlq.scheduler-core',
    });
    expect(parseDlqArguments(['show', 'p.scheduler.events.v1.dlq.projector:2:17'])).toEqual({
      kind: 'show',
      ref: { topic: 'p.scheduler.events.v1.dlq.projector', partition: 2, offset: '17' },
    });
    expect(parseDlqArguments(['replay', 't.dlq.g:0:5'])).toMatchObject({
      kind: 'replay',
      ref: { topic: 't.dlq.g', partition: 0, offset: '5' },
    });
    expect(parseDlqArguments(['replay', '--all', '--topic', 't.dlq.g'])).toEqual({
      kind: 'replay',
      ref: undefined,
      topic: 't.dlq.g',
      json: false,
    });
  });

  it.each([
    [[], /no command/],
    [['purge'], /unknown command "purge"/],
    [['list', '--topic'], /--topic needs/],
    [['list', '--topic', 'a', '--all'], /not both/],
    [['list', '--verbose'], /unknown option --verbose/],
    [['list', 't:0:1'], /takes no record/],
    [['show'], /exactly one/],
    [['show', 't:0:1', '--json'], /--json does not apply/],
    [['show', 'just-a-topic'], /is not <dlq-topic>:<partition>:<offset>/],
    [['show', 't:x:1'], /partition "x"/],
    [['show', 't:0:-1'], /offset "-1"/],
    [['show', 'bad topic:0:1'], /is not a topic name/],
    [['replay'], /needs .* or --all/],
    [['replay', 't:0:1', '--all'], /not both/],
    [['replay', 't:0:1', '--topic', 't'], /--topic goes with --all/],
    [['replay', '--all', '--all'], /given twice/],
  ])('refuses %j with a usage error', (argv, message) => {
    expect(() => parseDlqArguments(argv)).toThrow(UsageError);
    expect(() => parseDlqArguments(argv)).toThrow(message);
  });

  it('normalises the offset', () => {
    expect(parseRef('t:1:007').offset).toBe('7');
  });
});
