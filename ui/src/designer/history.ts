// Undo/redo over whole documents. The history is an immutable value: every function returns
// a new one. At most `limit` (200) past states are kept; a new push clears the redo side.
// Pushes with the same `coalesce` key within `windowMs` of each other (typing a name, dragging
// a slider) replace the present instead of adding a step.
import type { WorkspaceDoc } from "./types";

export const HISTORY_LIMIT = 200;
export const COALESCE_WINDOW_MS = 1000;

export interface History<T = WorkspaceDoc> {
  readonly past: readonly T[];
  readonly present: T;
  readonly future: readonly T[];
  readonly limit: number;
  /** Coalescing key and time of the last push, if it gave one. */
  readonly last: { key: string; at: number } | null;
}

export interface PushOptions {
  /** Pushes with the same key in a row (within the window) become one undo step. */
  coalesce?: string;
  /** The time of the push (ms); `Date.now()` by default. */
  now?: number;
  windowMs?: number;
}

export function createHistory<T = WorkspaceDoc>(present: T, limit = HISTORY_LIMIT): History<T> {
  return { past: [], present, future: [], limit: Math.max(1, limit), last: null };
}

/** Records `next` as the present. Pushing the present itself (a no-op edit) changes nothing. */
export function push<T>(h: History<T>, next: T, opts: PushOptions = {}): History<T> {
  if (next === h.present) return h;
  const now = opts.now ?? Date.now();
  const windowMs = opts.windowMs ?? COALESCE_WINDOW_MS;
  const key = opts.coalesce;
  const last = key !== undefined ? { key, at: now } : null;
  if (key !== undefined && h.last && h.last.key === key && now - h.last.at <= windowMs && h.future.length === 0) {
    return { ...h, present: next, last };
  }
  const past = [...h.past, h.present];
  if (past.length > h.limit) past.splice(0, past.length - h.limit);
  return { past, present: next, future: [], limit: h.limit, last };
}

export function canUndo<T>(h: History<T>): boolean {
  return h.past.length > 0;
}

export function canRedo<T>(h: History<T>): boolean {
  return h.future.length > 0;
}

/** One step back; unchanged when there is nothing to undo. */
export function undo<T>(h: History<T>): History<T> {
  const prev = h.past[h.past.length - 1];
  if (h.past.length === 0 || prev === undefined) return h;
  return { ...h, past: h.past.slice(0, -1), present: prev, future: [h.present, ...h.future], last: null };
}

/** One step forward again; unchanged when there is nothing to redo. */
export function redo<T>(h: History<T>): History<T> {
  const next = h.future[0];
  if (h.future.length === 0 || next === undefined) return h;
  return { ...h, past: [...h.past, h.present], present: next, future: h.future.slice(1), last: null };
}
