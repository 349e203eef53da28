import { describe, expect, it } from 'vitest';
import { incidentEventSchema, ingestPayloadSchema } from './incidentEvent.js';
import { incidentLimits } from './incidentLimits.js';

const event = {
  eventId: '0f1e2d3c-4b5a-4968-8776-655443322110',
  timestamp: '2025-01-02T03:04:05.678Z',
  level: 'error',
  type: 'TypeError',
  message: 'x is undefined',
  frames: [
    {
      function: 'render',
      file: 'https://x.test/App.tsx',
      line: 3,
      column: 9,
      inApp: true,
      raw: 'at render (https://x.test/App.tsx:3:9)',
    },
  ],
  fingerprint: '85944171f73967e8',
  release: '1.4.2',
  environment: 'production',
  commitSha: 'a3f9c21',
  runtime: { name: 'browser', userAgent: 'Mozilla/5.0' },
  tags: { feature: 'checkout' },
  extra: { orderId: 42 },
};

describe('ingestPayloadSchema', () => {
  it('accepts a well-formed batch', () => {
    expect(ingestPayloadSchema.parse({ events: [event] }).events[0]).toEqual(event);
  });

  it.each([
    ['an empty batch', { events: [] }],
    ['too many events', { events: Array.from({ length: incidentLimits.maxEventsPerBatch + 1 }, () => event) }],
    ['an unknown level', { events: [{ ...event, level: 'critical' }] }],
    ['a timestamp that is not ISO 8601', { events: [{ ...event, timestamp: 'yesterday' }] }],
    ['a frame without inApp', { events: [{ ...event, frames: [{ raw: 'at x' }] }] }],
    ['an oversized message', { events: [{ ...event, message: 'x'.repeat(incidentLimits.maxMessageLength + 1) }] }],
    [
      'too many tags',
      { events: [{ ...event, tags: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`t${i}`, 'v'])) }] },
    ],
    ['oversized extra', { events: [{ ...event, extra: { blob: 'x'.repeat(incidentLimits.maxExtraLength) } }] }],
  ])('rejects %s', (_name, payload) => {
    expect(ingestPayloadSchema.safeParse(payload).success).toBe(false);
  });

  it('strips unknown fields instead of storing them', () => {
    const parsed = incidentEventSchema.parse({ ...event, env: { SECRET: 'x' } });
    expect(parsed).not.toHaveProperty('env');
  });
});
