'use client';
// The catalogue's tags per scenario id (GET /api/scenarios), fetched once per page load and shared:
// the run view reads a scenario's intent (an attack, a happy path) from them.
import { useEffect, useState } from 'react';
import type { ScenarioList } from '../_lib/types.ts';
import { getJson } from '../_lib/client-api.ts';

let cached: Promise<Map<string, string[]> | null> | null = null;

export function useScenarioTags(): Map<string, string[]> | null {
  const [tags, setTags] = useState<Map<string, string[]> | null>(null);
  useEffect(() => {
    cached ??= getJson<ScenarioList>('/api/scenarios').then((l) => new Map(l.scenarios.map((s) => [s.id, s.tags ?? []])), () => null);
    let alive = true;
    void cached.then((t) => alive && setTags(t));
    return () => {
      alive = false;
    };
  }, []);
  return tags;
}
