import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RouterStreamEvent } from '../routerTypes.js';
import {
  answerOf,
  apis,
  type FaultRig,
  keptText,
  read,
  request,
  startRig,
  usageOf,
} from './__fixtures__/faultHarness.js';

let rig: FaultRig | undefined;

afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await rig?.close();
  rig = undefined;
});

/**
 * The SDKs log the line they could not parse before they throw: Anthropic's to
 * `console.error`, OpenAI's through its logger, which `OPENAI_LOG` silences for new clients.
 */
function quietSdkParseErrors(): void {
  vi.spyOn(console, 'error').mockImplementation(() => {});
  vi.stubEnv('OPENAI_LOG', 'off');
}

/** The events up to and including `restart`, with text deltas counted. */
function beforeRestart(events: RouterStreamEvent[]) {
  const restartAt = events.findIndex((event) => event.type === 'restart');
  const partial = events.slice(0, restartAt);
  return {
    restart: events[restartAt],
    deltas: partial.filter((event) => event.type === 'text-delta').length,
    text: partial.map((event) => (event.type === 'text-delta' ? event.text : '')).join(''),
    finished: partial.some((event) => event.type === 'finish'),
  };
}

const scenarios = [
  { fault: 'fault-cut-mid-stream', reason: 'STREAM_INCOMPLETE', deltas: 2 },
  { fault: 'fault-malformed-chunk', reason: 'STREAM_INCOMPLETE', deltas: 2 },
  { fault: 'fault-error-mid-stream', reason: 'PROVIDER_UNAVAILABLE', deltas: 2 },
  { fault: 'fault-no-terminal', reason: 'STREAM_INCOMPLETE', deltas: undefined },
] as const;

describe.each(apis)('broken streams over the %s wire format', (api) => {
  it.each(scenarios)(
    '$fault: restarts on the next target after partial output, never finishing the broken answer',
    async ({ fault, reason, deltas }) => {
      quietSdkParseErrors();
      rig = await startRig(api, [fault, 'healthy-fallback']);

      const reading = read(await rig.router.stream('generate', request));
      const error = await reading.done;
      await rig.fake.idle();

      expect(error).toBeUndefined();
      expect(reading.events[0]).toMatchObject({ type: 'start', targetId: fault });
      const partial = beforeRestart(reading.events);
      expect(partial.restart).toEqual({
        type: 'restart',
        reason,
        fromTargetId: fault,
        targetId: 'healthy-fallback',
        provider: api,
        model: 'healthy-fallback',
      });
      expect(partial.finished).toBe(false);
      if (deltas !== undefined) expect(partial.deltas).toBe(deltas);
      // What was streamed before the restart is a true prefix of the broken answer.
      expect(answerOf(fault).startsWith(partial.text)).toBe(true);
      expect(partial.text.length).toBeGreaterThan(0);
      expect(reading.events.filter((event) => event.type === 'restart')).toHaveLength(1);
      expect(reading.events.filter((event) => event.type === 'finish')).toHaveLength(1);
      expect(keptText(reading.events)).toBe(answerOf('healthy-fallback'));
      expect(reading.events.at(-1)).toEqual({
        type: 'finish',
        finishReason: 'stop',
        usage: usageOf('healthy-fallback'),
      });
      expect(rig.requestsFor(fault)).toHaveLength(1);
      expect(rig.requestsFor('healthy-fallback')).toHaveLength(1);
      expect(rig.router.getSnapshot().lastAnsweredBy.generate).toMatchObject({
        targetId: 'healthy-fallback',
        fallback: true,
      });
    },
  );

  it('fault-malformed-chunk: the attempt names the malformed chunk', async () => {
    quietSdkParseErrors();
    rig = await startRig(api, ['fault-malformed-chunk', 'healthy-fallback']);

    const result = await rig.router.generate('generate', request);

    expect(result.text).toBe(answerOf('healthy-fallback'));
    expect(result.usage).toEqual(usageOf('healthy-fallback'));
    expect(result.attempts).toMatchObject([
      {
        targetId: 'fault-malformed-chunk',
        outcome: 'STREAM_INCOMPLETE',
        reason: 'malformed_chunk',
        partialOutput: true,
      },
      { targetId: 'healthy-fallback', outcome: 'ok' },
    ]);
  });

  it('fault-no-terminal as the only target: a typed error, never a truncated success', async () => {
    rig = await startRig(api, ['fault-no-terminal']);

    const reading = read(await rig.router.stream('generate', request));
    const error = await reading.done;

    expect(error?.code).toBe('STREAM_INCOMPLETE');
    expect(error?.details?.attempts).toMatchObject([
      { targetId: 'fault-no-terminal', outcome: 'STREAM_INCOMPLETE', partialOutput: true },
    ]);
    expect(keptText(reading.events)).toBe(answerOf('fault-no-terminal'));
    expect(reading.events.some((event) => event.type === 'finish')).toBe(false);
    expect(rig.fake.requests).toHaveLength(1);
  });
});
