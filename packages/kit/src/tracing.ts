import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/** Span attributes of ours, beside OpenTelemetry's semantic conventions. */
export const ATTR = {
  requestId: 'macpt.request_id',
  recordId: 'macpt.disclosure_record_id',
} as const;

const tracer = () => trace.getTracer('macpt');

/**
 * OpenTelemetry traces for this process, exported over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT`
 * (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, and off otherwise (every span is then a no-op).
 * The exporter reads the standard `OTEL_*` variables itself; W3C `traceparent` is the propagator.
 * Returns a flush-and-stop for shutdown, or null when off.
 */
export function startTracing(
  service: string,
  env: Record<string, string | undefined> = process.env,
): { shutdown: () => Promise<void> } | null {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return null;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  return { shutdown: () => provider.shutdown() };
}

/**
 * Runs an HTTP request's handling inside a server span, continuing the caller's trace from its
 * `traceparent`; the span carries the route, the status and the request id the answer names.
 */
export function inServerSpan(req: IncomingMessage, res: ServerResponse, handle: () => Promise<void>): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const parent = propagation.extract(context.active(), req.headers);
  return tracer().startActiveSpan(
    `${req.method} ${path}`,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method ?? '', 'url.path': path } },
    parent,
    async (span) => {
      try {
        await handle();
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        if (span.isRecording()) {
          span.setAttribute('http.response.status_code', res.statusCode);
          const requestId = res.getHeader('x-request-id') ?? req.headers['x-request-id'];
          if (requestId) span.setAttribute(ATTR.requestId, String(requestId));
        }
        span.end();
      }
    },
  );
}

/** Adds the current trace's `traceparent` to an outgoing request's headers (nothing when tracing is off). */
export function withTraceContext(headers: Record<string, string>): Record<string, string> {
  propagation.inject(context.active(), headers);
  return headers;
}

/** Sets attributes on the span of the request being handled (if it is recorded). */
export function noteOnSpan(attributes: Attributes): void {
  const span = trace.getActiveSpan();
  if (span?.isRecording()) span.setAttributes(attributes);
}

/** The current trace and span ids, for log lines (empty when nothing is traced). */
export function traceIds(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
