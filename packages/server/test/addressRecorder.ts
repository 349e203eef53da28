import { createRateLimiter, type RateLimiter } from '../src/rateLimit/rateLimiter.js';

/** A rate limiter of one chat per client address that records the address of every check. */
export function createAddressRecorder(): { rateLimit: RateLimiter; seen: (string | undefined)[] } {
  const seen: (string | undefined)[] = [];
  const rateLimit = createRateLimiter({
    policies: [
      {
        name: 'per-address',
        algorithm: 'sliding-window',
        limit: 1,
        windowMs: 60_000,
        key: (subject) => {
          seen.push(subject.ip);
          return subject.ip === undefined ? null : `ip:${subject.ip}`;
        },
      },
    ],
  });
  return { rateLimit, seen };
}
