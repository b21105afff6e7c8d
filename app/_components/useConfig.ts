'use client';
// The sandbox configuration (GET /api/config), fetched once per page load and shared.
import { useEffect, useState } from 'react';
import type { ConfigDto } from '../_lib/types.ts';
import { getJson } from '../_lib/client-api.ts';

let cached: Promise<ConfigDto | null> | null = null;

export function useConfig(): ConfigDto | null {
  const [config, setConfig] = useState<ConfigDto | null>(null);
  useEffect(() => {
    cached ??= getJson<ConfigDto>('/api/config').catch(() => null);
    let alive = true;
    void cached.then((c) => alive && setConfig(c));
    return () => {
      alive = false;
    };
  }, []);
  return config;
}
