'use client';
// Presentation mode for a projector: `p` (or the Present button) turns it on and off, ← / → move one
// step at a time, Escape leaves. One state for the page (both timelines of the Compare page follow the
// same step); the root element gets the `presenting` class (larger type, see globals.css).
import { useEffect, useSyncExternalStore } from 'react';

export interface Presentation {
  on: boolean;
  /** The step shown (0-based), clamped by each timeline to its own steps. */
  step: number;
}

let state: Presentation = { on: false, step: 0 };
let lastStep = 0;
const listeners = new Set<() => void>();

function set(next: Presentation) {
  state = next;
  document.documentElement.classList.toggle('presenting', next.on);
  for (const l of listeners) l();
}

export const togglePresentation = () => set({ on: !state.on, step: state.on ? state.step : 0 });
export const goToStep = (step: number) => set({ ...state, step: Math.max(0, Math.min(lastStep, step)) });

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

/** Whether a key press belongs to a field being typed in. */
const typing = (t: EventTarget | null) => t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));

function onKey(e: KeyboardEvent) {
  if (e.altKey || e.ctrlKey || e.metaKey || typing(e.target)) return;
  if (e.key === 'p' || e.key === 'P') togglePresentation();
  else if (!state.on) return;
  else if (e.key === 'ArrowRight') goToStep(state.step + 1);
  else if (e.key === 'ArrowLeft') goToStep(state.step - 1);
  else if (e.key === 'Escape') set({ ...state, on: false });
  else return;
  e.preventDefault();
}

/** How many components on the page listen (the keys are handled once). */
let installed = 0;

/** The presentation state; `steps` is how many steps the page's longest timeline has (→ stops there). */
export function usePresentation(steps: number): Presentation {
  useEffect(() => {
    lastStep = Math.max(0, steps - 1);
  }, [steps]);
  useEffect(() => {
    if (installed++ === 0) window.addEventListener('keydown', onKey);
    return () => {
      if (--installed > 0) return;
      window.removeEventListener('keydown', onKey);
      if (state.on) set({ on: false, step: 0 });
    };
  }, []);
  return useSyncExternalStore(subscribe, () => state, () => state);
}
