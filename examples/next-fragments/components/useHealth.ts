'use client';

import { useEffect, useState } from 'react';
import { endpoint } from './endpoint';

/** What `GET /api/fragmentkit/health` reports about the configured models. */
export interface Health {
  status: string;
  models: { id: string; provider: string; model: string }[];
  defaultModel: string | null;
}

/** Loads the server's health once: which models can answer, and whether any can. */
export function useHealth(): { health: Health | null; failed: boolean } {
  const [health, setHealth] = useState<Health | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const controller = new AbortController();
    fetch(`${endpoint}/health`, { signal: controller.signal })
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error(String(response.status)))))
      .then((body: Health) => setHealth(body))
      .catch((error: unknown) => {
        if ((error as { name?: string }).name !== 'AbortError') setFailed(true);
      });
    return () => controller.abort();
  }, []);
  return { health, failed };
}
