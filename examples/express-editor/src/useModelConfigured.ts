import { useEffect, useState } from 'react';

/** Whether the server has a model for agent tasks (`/app/config.json`); `undefined` until known. */
export function useModelConfigured(): boolean | undefined {
  const [configured, setConfigured] = useState<boolean>();
  useEffect(() => {
    const controller = new AbortController();
    fetch('/app/config.json', { signal: controller.signal })
      .then((response) => response.json() as Promise<{ modelConfigured: boolean }>)
      .then((config) => setConfigured(config.modelConfigured))
      .catch(() => undefined);
    return () => controller.abort();
  }, []);
  return configured;
}
