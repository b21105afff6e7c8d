'use client';
// Follows a run's trace over Server-Sent Events (GET /api/runs/:id/events): live runs stream as
// they happen, stored runs replay and end. Events are batched per animation frame, except the
// first, which is shown at once (the "first event within 300 ms of Run" promise).
import { useEffect, useRef, useState } from 'react';
import type { TraceEvent } from '../../lib/trace/events.ts';

export interface RunStream {
  events: TraceEvent[];
  done: boolean;
  error: string | null;
}

export function useRunStream(runId: string | null): RunStream {
  const [state, setState] = useState<RunStream>({ events: [], done: false, error: null });
  const buffer = useRef<TraceEvent[]>([]);
  useEffect(() => {
    setState({ events: [], done: false, error: null });
    if (!runId) return;
    let frame = 0;
    let seen = -1;
    let count = 0;
    const flush = () => {
      frame = 0;
      const batch = buffer.current;
      buffer.current = [];
      if (batch.length) setState((s) => ({ ...s, events: [...s.events, ...batch] }));
    };
    performance.mark('fapi:stream-opened');
    const source = new EventSource(`/api/runs/${encodeURIComponent(runId)}/events`);
    source.addEventListener('trace', (m) => {
      const event = JSON.parse((m as MessageEvent<string>).data) as TraceEvent;
      if (event.seq <= seen) return;
      seen = event.seq;
      buffer.current.push(event);
      if (count++ === 0) {
        performance.mark('fapi:first-event-received');
        flush();
      }
      else frame ||= requestAnimationFrame(flush);
    });
    source.addEventListener('end', () => {
      source.close();
      cancelAnimationFrame(frame);
      flush();
      setState((s) => ({ ...s, done: true }));
    });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) setState((s) => ({ ...s, error: 'the event stream closed', done: true }));
    };
    return () => {
      source.close();
      cancelAnimationFrame(frame);
    };
  }, [runId]);
  return state;
}
