import { createStoreFailover } from '@fragmentkit/core';
import type { FragmentkitLogger } from '../logger.js';
import type { ServerSentEvent } from '../sse.js';
import { createMemoryStreamBuffer } from './memoryStreamBuffer.js';
import type { StreamBuffer, StreamSlice } from './streamBuffer.js';

/** Appends the events of one stream to the buffer that took it. */
export interface StreamWriter {
  append(event: ServerSentEvent, final: boolean): Promise<boolean>;
}

/** A stream found for a reader: the buffer holding it and its first slice. */
export interface FoundStream {
  buffer: StreamBuffer;
  slice: StreamSlice;
}

/** A {@link StreamBuffer} with in-memory insurance; see {@link createInsuredStreamBuffer}. */
export interface InsuredStreamBuffer {
  /** Starts buffering a stream, or answers undefined when it cannot be buffered (it then cannot be resumed). */
  open(streamId: string): Promise<StreamWriter | undefined>;
  /** The stream and its events after `after`, wherever it is buffered; undefined when no buffer has it. */
  find(streamId: string, after: number): Promise<FoundStream | undefined>;
}

/**
 * Wraps the host's buffer (e.g. Redis) so that an outage never fails a chat: streams that
 * start while it is down are buffered in this instance's memory, and a stream stays in the
 * buffer it started in, so a recovery midway never leaves a gap in it.
 */
export function createInsuredStreamBuffer(primary: StreamBuffer, logger: FragmentkitLogger): InsuredStreamBuffer {
  const failover = createStoreFailover<StreamBuffer, { operation: 'create' | 'read' }>({
    primary,
    createFallback: () => createMemoryStreamBuffer(),
    onFailure(error, { context, outageStarted }) {
      if (!outageStarted) return;
      logger.warn(
        { operation: context.operation, errorMessage: error instanceof Error ? error.message : String(error) },
        'The stream buffer failed; chat streams are buffered in this instance until it answers again, so only this instance can resume them.',
      );
    },
    onRecovery: () => logger.info({}, 'The stream buffer answers again.'),
  });

  return {
    async open(streamId) {
      try {
        const { result: created, fromFallback } = await failover.run({ operation: 'create' }, (buffer) =>
          buffer.create(streamId),
        );
        if (!created) return undefined;
        const buffer = fromFallback && failover.fallback ? failover.fallback : primary;
        return { append: (event, final) => buffer.append(streamId, event, final) };
      } catch {
        return undefined;
      }
    },
    async find(streamId, after) {
      const { result, fromFallback } = await failover.run({ operation: 'read' }, (buffer) =>
        buffer.read(streamId, after),
      );
      if (result) return { buffer: fromFallback && failover.fallback ? failover.fallback : primary, slice: result };
      // A stream that started during an outage lives on in this instance after the buffer recovered.
      const local = fromFallback ? undefined : failover.fallback;
      const slice = await local?.read(streamId, after);
      return local && slice ? { buffer: local, slice } : undefined;
    },
  };
}
