'use client';

import { useEffect, useState } from 'react';
import { endpoint } from './endpoint';

/**
 * Whether the server offers `POST /share`. A `GET` costs nothing and changes nothing: a
 * server with the route answers 405 (wrong method), one without it 404.
 */
export function useShareSupport(): boolean {
  const [supported, setSupported] = useState(false);
  useEffect(() => {
    const controller = new AbortController();
    fetch(`${endpoint}/share`, { signal: controller.signal })
      .then((response) => setSupported(response.ok || response.status === 405))
      .catch(() => setSupported(false));
    return () => controller.abort();
  }, []);
  return supported;
}
