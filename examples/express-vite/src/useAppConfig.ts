import { useEffect, useState } from 'react';

/** What the app's server says about itself at `/app/config.json` (see server/app.ts). */
export interface AppConfig {
  /** Where "Run" executes fragments: `local`, `e2b`, or `browser` (no server sandbox). */
  sandbox: 'local' | 'e2b' | 'browser';
}

/** Loads the server's app settings once; `browser` until they arrive or when they cannot be read. */
export function useAppConfig(): AppConfig {
  const [config, setConfig] = useState<AppConfig>({ sandbox: 'browser' });
  useEffect(() => {
    const controller = new AbortController();
    fetch('/app/config.json', { signal: controller.signal })
      .then((response) => (response.ok ? (response.json() as Promise<AppConfig>) : undefined))
      .then((loaded) => {
        if (loaded) setConfig(loaded);
      })
      .catch(() => {});
    return () => controller.abort();
  }, []);
  return config;
}
