// A host process for the Node handler tests: `node --import tsx nodeHost.mjs <scenario> <endpoint>`.
// Scenarios starting with `baseline-` do the same without the reporter, to compare Node's own behaviour.
import { initReporter } from '../index.ts';

const [scenario, endpoint] = process.argv.slice(2);
const reporter = scenario.startsWith('baseline-')
  ? undefined
  : initReporter({
      endpoint,
      key: 'child-key',
      flushIntervalMs: 60_000,
      beforeSend(event) {
        // Synchronous write: it must reach the parent even when the process dies right after.
        process.stderr.write(`captured ${event.level} ${event.type}: ${event.message}\n`);
        return event;
      },
    });

switch (scenario.replace('baseline-', '')) {
  case 'uncaught':
    setTimeout(() => {
      throw new Error('boom from the host');
    }, 10);
    break;
  case 'rejection':
    Promise.reject(new Error('nobody handled this'));
    break;
  case 'host-rejection-handler':
    process.on('unhandledRejection', (reason) => process.stderr.write(`host handled: ${reason.message}\n`));
    Promise.reject(new Error('the host handles this'));
    break;
  case 'host-flushes-then-exits':
    process.on('uncaughtException', async (error) => {
      process.stderr.write(`host caught: ${error.message}\n`);
      await reporter?.flush();
      process.exit(3);
    });
    setTimeout(() => {
      throw new Error('fatal but flushed');
    }, 10);
    break;
  case 'idle':
    reporter?.captureMessage('last words before a normal exit');
    break;
  default:
    throw new Error(`unknown scenario ${scenario}`);
}
