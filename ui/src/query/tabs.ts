// Query tabs: the open documents of a workspace, each with its own session. Only what a person
// typed is kept across launches (document, variables, root, the saved operation it came from);
// results are not. Opening a document from elsewhere (History, the designer's Try it, a saved
// operation) never overwrites a tab silently: it goes into a new tab, or into the active tab
// only when that one is empty, or to the tab that already holds the same document.
import { EMPTY_SESSION, type QuerySession } from "./session";

export interface QueryTab {
  id: string;
  session: QuerySession;
}

export interface Tabs {
  tabs: QueryTab[];
  active: string;
}

let counter = 0;
export function newTabId(): string {
  counter += 1;
  return `t${Date.now().toString(36)}${counter}`;
}

export function emptyTabs(): Tabs {
  const id = newTabId();
  return { tabs: [{ id, session: EMPTY_SESSION }], active: id };
}

export function activeSession(t: Tabs): QuerySession {
  return (t.tabs.find((x) => x.id === t.active) ?? t.tabs[0])?.session ?? EMPTY_SESSION;
}

/** The tab's title: the saved operation's name, the operation's own name, its first field. */
export function tabTitle(s: QuerySession): string {
  if (s.savedAs) return s.savedAs;
  const text = s.document.replace(/#[^\n]*/g, " ");
  const named = /\b(query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(text);
  if (named?.[2]) return named[2];
  const first = /\{\s*(?:([_A-Za-z][_0-9A-Za-z]*)\s*:\s*)?([_A-Za-z][_0-9A-Za-z]*)/.exec(text);
  if (first?.[2]) return first[2];
  return "New query";
}

function isBlank(s: QuerySession): boolean {
  return s.document.trim() === "" && s.result === null;
}

/** Opens `session`: the tab already holding its document, else the empty active tab, else a new one. */
export function openInTab(t: Tabs, session: QuerySession): Tabs {
  const same = t.tabs.find((x) => x.session.document === session.document && x.session.document.trim() !== "");
  if (same) {
    return {
      tabs: t.tabs.map((x) => (x.id === same.id ? { ...x, session: { ...x.session, ...pickOpen(session, x.session) } } : x)),
      active: same.id,
    };
  }
  const current = t.tabs.find((x) => x.id === t.active);
  if (current && isBlank(current.session)) {
    return { tabs: t.tabs.map((x) => (x.id === current.id ? { ...x, session } : x)), active: current.id };
  }
  const id = newTabId();
  const at = t.tabs.findIndex((x) => x.id === t.active);
  const tabs = [...t.tabs];
  tabs.splice(at < 0 ? tabs.length : at + 1, 0, { id, session });
  return { tabs, active: id };
}

/** What reopening brings into a tab that already has the document: a result, variables. */
function pickOpen(next: QuerySession, current: QuerySession): Partial<QuerySession> {
  return { variables: next.variables, result: next.result ?? current.result, savedAs: next.savedAs ?? current.savedAs };
}

export function addTab(t: Tabs): Tabs {
  const id = newTabId();
  return { tabs: [...t.tabs, { id, session: EMPTY_SESSION }], active: id };
}

/** Closes a tab; its neighbour becomes active; the last tab closed leaves one empty tab. */
export function closeTab(t: Tabs, id: string): Tabs {
  const at = t.tabs.findIndex((x) => x.id === id);
  if (at < 0) return t;
  const tabs = t.tabs.filter((x) => x.id !== id);
  if (tabs.length === 0) return emptyTabs();
  const active = t.active === id ? (tabs[Math.min(at, tabs.length - 1)]?.id ?? tabs[0]!.id) : t.active;
  return { tabs, active };
}

/**
 * Whether closing a tab would lose what was written in it: a document that is not blank and is
 * not exactly the saved operation it came from (or was never saved).
 */
export function unsavedWork(s: QuerySession, saved: readonly { name: string; document: string }[]): boolean {
  if (s.document.trim() === "") return false;
  const op = s.savedAs ? saved.find((o) => o.name === s.savedAs) : undefined;
  return !op || op.document !== s.document;
}

export function updateTab(t: Tabs, id: string, update: (s: QuerySession) => QuerySession): Tabs {
  let changed = false;
  const tabs = t.tabs.map((x) => {
    if (x.id !== id) return x;
    const session = update(x.session);
    if (session === x.session) return x;
    changed = true;
    return { ...x, session };
  });
  return changed ? { ...t, tabs } : t;
}

interface SavedTab {
  document: string;
  variables: string;
  root: string;
  savedAs?: string | null;
}

/** The tabs as kept across launches: what was typed, never results. */
export function serializeTabs(t: Tabs): string {
  const active = t.tabs.findIndex((x) => x.id === t.active);
  const tabs: SavedTab[] = t.tabs.map(({ session: s }) => ({ document: s.document, variables: s.variables, root: s.root, savedAs: s.savedAs ?? null }));
  return JSON.stringify({ active: Math.max(0, active), tabs });
}

/** Tabs read back (a fresh id each, explorer ticks recomputed from the document), or null. */
export function parseTabs(text: string | null): Tabs | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as { active?: unknown; tabs?: unknown };
    if (!Array.isArray(v.tabs) || v.tabs.length === 0) return null;
    const tabs: QueryTab[] = [];
    for (const raw of v.tabs as Partial<SavedTab>[]) {
      if (typeof raw !== "object" || raw === null || typeof raw.document !== "string") continue;
      tabs.push({
        id: newTabId(),
        session: {
          ...EMPTY_SESSION,
          document: raw.document,
          variables: typeof raw.variables === "string" ? raw.variables : EMPTY_SESSION.variables,
          root: raw.root === "Mutation" ? "Mutation" : "Query",
          savedAs: typeof raw.savedAs === "string" ? raw.savedAs : null,
        },
      });
    }
    if (tabs.length === 0) return null;
    const index = typeof v.active === "number" && v.active >= 0 && v.active < tabs.length ? v.active : 0;
    return { tabs, active: tabs[index]!.id };
  } catch {
    return null;
  }
}

const key = (workspaceId: number) => `knot.tabs.${workspaceId}`;

export function loadTabs(workspaceId: number): Tabs {
  try {
    return parseTabs(localStorage.getItem(key(workspaceId))) ?? emptyTabs();
  } catch {
    return emptyTabs();
  }
}

export function saveTabs(workspaceId: number, t: Tabs): void {
  try {
    localStorage.setItem(key(workspaceId), serializeTabs(t));
  } catch {
    // Not kept this time (storage refused); the tabs stay open for this session.
  }
}
