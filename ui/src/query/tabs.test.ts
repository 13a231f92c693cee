import { describe, expect, it } from "vitest";
import { EMPTY_SESSION, type QuerySession } from "./session";
import { addTab, activeSession, closeTab, emptyTabs, openInTab, parseTabs, serializeTabs, tabTitle, unsavedWork, updateTab } from "./tabs";

const doc = (document: string, extra: Partial<QuerySession> = {}): QuerySession => ({ ...EMPTY_SESSION, document, ...extra });

describe("tab titles", () => {
  it("names a tab by its saved operation, its operation name or its first field", () => {
    expect(tabTitle(doc("query OrderDetails($id: ID!) { getOrderDetails(id: $id) { id } }"))).toBe("OrderDetails");
    expect(tabTitle(doc("{ getOrderDetails(id: \"1\") { id } }"))).toBe("getOrderDetails");
    expect(tabTitle(doc("mutation { a: placeOrder(input: {}) { id } }"))).toBe("placeOrder");
    expect(tabTitle(doc("# query Nope\n{ x }"))).toBe("x");
    expect(tabTitle(doc("{ x }", { savedAs: "Mine" }))).toBe("Mine");
    expect(tabTitle(EMPTY_SESSION)).toBe("New query");
  });
});

describe("opening documents", () => {
  it("fills the empty active tab, then opens new tabs beside the active one instead of overwriting", () => {
    let t = emptyTabs();
    t = openInTab(t, doc("{ a }"));
    expect(t.tabs).toHaveLength(1);
    expect(activeSession(t).document).toBe("{ a }");
    const first = t.active;
    t = openInTab(t, doc("{ b }"));
    expect(t.tabs.map((x) => x.session.document)).toEqual(["{ a }", "{ b }"]);
    expect(t.active).not.toBe(first);
    // The first tab still holds what it held.
    expect(t.tabs[0]?.session.document).toBe("{ a }");
  });

  it("switches to the tab that already holds the same document, bringing the reopened result", () => {
    let t = openInTab(emptyTabs(), doc("{ a }"));
    t = openInTab(t, doc("{ b }"));
    const result = { response: { data: {} }, trace: null, runId: null, ranDocument: "{ a }", ranVariables: "{}" };
    t = openInTab(t, doc("{ a }", { result }));
    expect(t.tabs).toHaveLength(2);
    expect(activeSession(t).document).toBe("{ a }");
    expect(activeSession(t).result).toEqual(result);
  });
});

describe("closing and editing tabs", () => {
  it("activates the neighbour of a closed active tab and never leaves no tab", () => {
    let t = addTab(addTab(emptyTabs()));
    const [a, b, c] = t.tabs.map((x) => x.id);
    t = { ...t, active: b! };
    t = closeTab(t, b!);
    expect(t.tabs.map((x) => x.id)).toEqual([a, c]);
    expect(t.active).toBe(c);
    t = closeTab(closeTab(t, a!), c!);
    expect(t.tabs).toHaveLength(1);
    expect(activeSession(t)).toEqual(EMPTY_SESSION);
  });

  it("updates only the tab it names", () => {
    const t = addTab(emptyTabs());
    const [a, b] = t.tabs.map((x) => x.id);
    const next = updateTab(t, a!, (s) => ({ ...s, document: "{ a }" }));
    expect(next.tabs.find((x) => x.id === a)?.session.document).toBe("{ a }");
    expect(next.tabs.find((x) => x.id === b)?.session).toBe(t.tabs[1]?.session);
    expect(updateTab(t, a!, (s) => s)).toBe(t);
  });
});

describe("kept across launches", () => {
  it("keeps what was typed and which tab was active, never results", () => {
    let t = openInTab(emptyTabs(), doc("{ a }", { variables: '{"id": "1"}' }));
    t = openInTab(t, doc("mutation { placeOrder { id } }", { root: "Mutation", savedAs: "Place" }));
    t = updateTab(t, t.active, (s) => ({ ...s, result: { response: 1, trace: null, runId: "r", ranDocument: "", ranVariables: "" } }));
    const back = parseTabs(serializeTabs(t))!;
    expect(back.tabs.map((x) => [x.session.document, x.session.variables, x.session.root, x.session.savedAs ?? null])).toEqual([
      ["{ a }", '{"id": "1"}', "Query", null],
      ["mutation { placeOrder { id } }", "{}", "Mutation", "Place"],
    ]);
    expect(activeSession(back).document).toBe("mutation { placeOrder { id } }");
    expect(back.tabs.every((x) => x.session.result === null)).toBe(true);
  });

  it("reads nothing from broken storage", () => {
    expect(parseTabs("nope")).toBeNull();
    expect(parseTabs(JSON.stringify({ tabs: [] }))).toBeNull();
    expect(parseTabs(JSON.stringify({ tabs: [{ document: 3 }] }))).toBeNull();
  });
});

describe("unsaved work", () => {
  const saved = [{ name: "OrderDetails", document: "query OrderDetails { a }" }];
  it("is a typed document that was never saved, or differs from its saved operation", () => {
    expect(unsavedWork({ ...EMPTY_SESSION, document: "  " }, saved)).toBe(false);
    expect(unsavedWork({ ...EMPTY_SESSION, document: "{ a }" }, saved)).toBe(true);
    expect(unsavedWork({ ...EMPTY_SESSION, document: "query OrderDetails { a }", savedAs: "OrderDetails" }, saved)).toBe(false);
    expect(unsavedWork({ ...EMPTY_SESSION, document: "query OrderDetails { a b }", savedAs: "OrderDetails" }, saved)).toBe(true);
    // A saved operation renamed or deleted elsewhere: the tab's document is kept only there.
    expect(unsavedWork({ ...EMPTY_SESSION, document: "query OrderDetails { a }", savedAs: "Gone" }, saved)).toBe(true);
  });
});
