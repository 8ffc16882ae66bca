import { TraceContextRegistry } from './trace-context-registry';

const TP = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const OTHER = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('TraceContextRegistry', () => {
  it('knows nothing while no span is open', () => {
    const registry = new TraceContextRegistry();
    expect(registry.traceparentOf('m1')).toBeUndefined();
    expect(registry.follow('m2', 'm1')).toBeUndefined();
    expect(registry.size).toBe(0);
  });

  it("hands the span of a message's cause to the message, which then carries it to what it causes in turn", () => {
    const registry = new TraceContextRegistry();
    registry.open('command', TP);
    expect(registry.follow('event', 'command')).toBe(TP);
    // A timer set by the event, in the same handler: found by the event's id.
    expect(registry.traceparentOf('event')).toBe(TP);
    expect(registry.follow('unrelated', 'no-such-cause')).toBeUndefined();
  });

  it('forgets every id of a scope when it closes', () => {
    const registry = new TraceContextRegistry();
    const scope = registry.open('command', TP);
    registry.follow('event-1', 'command');
    registry.follow('event-2', 'event-1');
    registry.close(scope);
    expect(registry.size).toBe(0);
    expect(registry.traceparentOf('event-2')).toBeUndefined();
  });

  it('leaves an id to the later scope that took it over (the same message handled again) when the earlier one closes', () => {
    const registry = new TraceContextRegistry();
    const first = registry.open('command', TP);
    const second = registry.open('command', OTHER);
    registry.close(first);
    expect(registry.traceparentOf('command')).toBe(OTHER);
    registry.close(second);
    expect(registry.size).toBe(0);
  });
});
