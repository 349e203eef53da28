import { contentHash } from '../attachments/contentHash.js';
import { isAbortError } from '../errors.js';
import { summarizeTurnsWithoutModel } from './deterministicSummary.js';
import type { NumberedTurn } from './renderTurn.js';
import type { SummaryCache } from './summaryCache.js';
import type { Summarizer } from './summaryRequest.js';

/**
 * Where a summary came from: the cache, a fresh model call, or the deterministic fallback.
 *
 * @example
 * ```ts
 * if (built.summarySource === 'fallback') logger.warn('summarised without a model');
 * ```
 */
export type SummarySource = 'cache' | 'model' | 'fallback';

/** Options for {@link summarizeOlderTurns}. */
export interface SummarizeOlderTurnsOptions {
  /** The turns to summarise: every turn before the recent ones, numbered. */
  turns: readonly NumberedTurn[];
  conversationId: string | undefined;
  cache: SummaryCache;
  summarize: Summarizer | undefined;
  signal: AbortSignal | undefined;
  onError: (error: unknown) => void;
}

/**
 * The summary of `turns`: the cached one when it covers exactly these turns; else the cached one
 * grown by the turns that aged out since (one model call for the new turns only); else a fresh
 * one. Without a summariser, or when it fails, the new turns are summarised deterministically
 * and appended to whatever valid summary there is, so no turn is ever silently dropped.
 */
export async function summarizeOlderTurns(
  options: SummarizeOlderTurnsOptions,
): Promise<{ text: string; source: SummarySource }> {
  const { turns, conversationId, cache, summarize } = options;
  const cached = conversationId === undefined ? undefined : await cache.get(conversationId);
  const base =
    cached && cached.coveredTurns <= turns.length && cached.fingerprint === fingerprintTurns(turns, cached.coveredTurns)
      ? cached
      : undefined;
  if (base && base.coveredTurns === turns.length) return { text: base.text, source: 'cache' };

  const newTurns = turns.slice(base?.coveredTurns ?? 0);
  const firstTurnNumber = newTurns[0]!.number;
  if (summarize) {
    try {
      const text = (
        await summarize({
          ...(base ? { previousSummary: base.text } : {}),
          turns: newTurns,
          firstTurnNumber,
          ...(options.signal ? { signal: options.signal } : {}),
        })
      ).trim();
      if (text === '') throw new Error('The summariser returned an empty summary.');
      if (conversationId !== undefined) {
        await cache.set(conversationId, {
          text,
          coveredTurns: turns.length,
          fingerprint: fingerprintTurns(turns, turns.length),
        });
      }
      return { text, source: 'model' };
    } catch (error) {
      if (options.signal?.aborted || isAbortError(error)) throw error;
      options.onError(error);
    }
  }
  const added = summarizeTurnsWithoutModel(newTurns, firstTurnNumber);
  return { text: base ? `${base.text}\n${added}` : added, source: 'fallback' };
}

/** A hash of what the first `count` turns said, to notice a history that was edited. */
export function fingerprintTurns(turns: readonly NumberedTurn[], count: number): string {
  return contentHash(
    turns
      .slice(0, count)
      .map((turn) =>
        [
          turn.input,
          turn.commentary ?? '',
          turn.fragment
            ? `${turn.fragment.title ?? ''}\u0000${turn.version}\u0000${contentHash(turn.fragment.code)}`
            : '',
          (turn.attachments ?? []).map((attachment) => attachment.id).join('\u0000'),
        ].join('\u0001'),
      )
      .join('\u0002'),
  );
}
