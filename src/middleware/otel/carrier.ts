// A request's `_meta` as a propagation carrier: the convention puts `traceparent`, `tracestate` and
// `baggage` there unprefixed (SEP-414), whatever propagator is configured writes its own keys.
import type { TextMapGetter, TextMapSetter } from '@opentelemetry/api';

type Carrier = { readonly [key: string]: unknown };

/** Reads string values only: `_meta` is client-written JSON, anything else is not a header. */
export const metaGetter: TextMapGetter<Carrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    return typeof value === 'string' ? value : undefined;
  },
};

export const metaSetter: TextMapSetter<Record<string, unknown>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};
