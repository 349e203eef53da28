import { createServerSentEventEncoder, eventStreamHeaders, type ServerSentEvent } from '../sse.js';
import { type AgentTaskRecord, isFinishedAgentTask, toAgentTaskView } from './agentTaskView.js';

/**
 * What the task event stream follows: how to read the task now, and the signals that it may
 * have changed (this process's writes, the queue's events). It re-reads on a timer as well, for
 * changes another instance made.
 *
 * @example
 * ```ts
 * const source: AgentTaskEventSource = { load: () => tasks.load(tenant, id), triggers: [(wake) => changes.subscribe(id, wake)], pollIntervalMs: 1000 };
 * ```
 */
export interface AgentTaskEventSource {
  load(): Promise<AgentTaskRecord | null>;
  /** Each calls `wake` when the task may have changed and returns how to stop. */
  triggers: Array<(wake: () => void) => () => void>;
  pollIntervalMs: number;
  /** The client's `Last-Event-ID`: revisions up to it are not sent again. */
  lastEventId: number;
}

/**
 * An SSE response with one `task` event per change of the task (`id` = the task's revision,
 * `data` = its full `AgentTaskView`), the current state first, ending after `done` or `failed`.
 * A client that reconnects with `Last-Event-ID` gets only newer states.
 *
 * @example
 * ```ts
 * return agentTaskEventResponse(first, { load, triggers, pollIntervalMs: 1000, lastEventId: 0 });
 * ```
 */
export function agentTaskEventResponse(first: AgentTaskRecord, source: AgentTaskEventSource): Response {
  const stops: Array<() => void> = [];
  let timer: ReturnType<typeof setInterval> | undefined;
  let closed = false;
  let lastRevision = source.lastEventId;
  let lastData = '';
  let chain = Promise.resolve();

  const stop = () => {
    closed = true;
    if (timer !== undefined) clearInterval(timer);
    for (const cleanup of stops.splice(0)) cleanup();
  };

  const body = new ReadableStream<ServerSentEvent>({
    start(controller) {
      const send = (record: AgentTaskRecord) => {
        if (closed) return;
        const data = JSON.stringify(toAgentTaskView(record));
        if (record.revision > lastRevision && data !== lastData) {
          controller.enqueue({ id: String(record.revision), event: 'task', data });
          lastData = data;
        }
        lastRevision = Math.max(lastRevision, record.revision);
        if (isFinishedAgentTask(record.status)) {
          stop();
          controller.close();
        }
      };
      const refresh = () => {
        chain = chain
          .then(async () => {
            if (closed) return;
            const record = await source.load();
            if (record) send(record);
          })
          .catch(() => {
            // A failed re-read is retried by the next trigger or tick; the stream stays open.
          });
      };
      send(first);
      if (closed) return;
      for (const trigger of source.triggers) stops.push(trigger(refresh));
      timer = setInterval(refresh, source.pollIntervalMs);
      // A change between the first read and the subscriptions would otherwise wait for the timer.
      refresh();
    },
    cancel: stop,
  });
  return new Response(body.pipeThrough(createServerSentEventEncoder()), { headers: eventStreamHeaders });
}
