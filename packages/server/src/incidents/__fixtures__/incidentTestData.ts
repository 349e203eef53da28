import type { IncidentEvent } from '@fragmentkit/core';

let sequence = 0;

/** A valid incident event; every call gets a new event id. */
export function incidentEvent(overrides: Partial<IncidentEvent> = {}): IncidentEvent {
  sequence += 1;
  return {
    eventId: `event-${process.pid}-${sequence}`,
    timestamp: '2025-01-01T00:00:00.000Z',
    level: 'error',
    type: 'TypeError',
    message: "Cannot read properties of undefined (reading 'amount')",
    frames: [
      {
        function: 'applyDiscount',
        file: 'https://shop.test/src/checkout.ts',
        line: 9,
        column: 46,
        inApp: true,
        raw: 'at applyDiscount (https://shop.test/src/checkout.ts:9:46)',
      },
    ],
    fingerprint: 'fingerprint-discount',
    runtime: { name: 'browser', userAgent: 'test' },
    ...overrides,
  };
}
