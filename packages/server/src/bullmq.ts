export type { BullMqQueueOptions } from './queue/bullMqQueue.js';
export { createBullMqQueue } from './queue/bullMqQueue.js';
