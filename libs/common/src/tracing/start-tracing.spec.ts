import { ConfigurationError } from '../config/configuration-error';
import { startTracing } from './start-tracing';
import { tracingEnabled } from './tracer';

describe('startTracing', () => {
  it('installs nothing without an OTLP endpoint', async () => {
    const tracing = startTracing('gateway', {});
    expect(tracingEnabled()).toBe(false);
    await tracing.shutdown();
  });

  it('installs nothing when the SDK is disabled, endpoint or not', () => {
    startTracing('gateway', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' });
    expect(tracingEnabled()).toBe(false);
  });

  it('refuses a protocol other than http/json at start, naming the variable', () => {
    const start = () =>
      startTracing('gateway', {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      });
    expect(start).toThrow(ConfigurationError);
    expect(start).toThrow(/^OTEL_EXPORTER_OTLP_PROTOCOL must be http\/json/);
    expect(tracingEnabled()).toBe(false);
  });
});
