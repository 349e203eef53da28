import { createServer } from 'node:http';
import express from 'express';
import { describe } from 'vitest';
import { runHostScenarios } from './hostScenarios.js';

describe('Express 5 with express.json() before the handler', () => {
  runHostScenarios((handler) => {
    const app = express();
    app.use(express.json());
    app.use('/api/fragmentkit', handler);
    return createServer(app);
  });
});

describe('Express 5 without a body parser', () => {
  runHostScenarios((handler) => {
    const app = express();
    app.use('/api/fragmentkit', handler);
    return createServer(app);
  });
});
