// The waterfall as rendered (server-side rendering to markup: no DOM needed).
import { describe, expect, it } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import { Waterfall } from "./Waterfall";
import type { SpanView, TraceView } from "../bindings";

function span(id: number, shared: boolean): SpanView {
  return {
    id, node: 0, source: "users", operation: "getUser", startMs: 1, endMs: 5, batchSize: 0,
    status: "200", category: null, error: null,
    request: { method: "GET", target: "{{env.USERS_URL}}/users/1", headers: [], body: null },
    bytes: 40, attempt: 1, response: null, shared,
  };
}

function trace(spans: SpanView[]): TraceView {
  return {
    durationMs: 6,
    plan: {
      nodes: [{ id: 0, kind: "bound", label: "Order.user", path: ["user"], source: "users", sourceKind: "rest", operation: "getUser", mode: "single", hidden: false }],
      edges: [],
      stages: [[0]],
    },
    nodes: [],
    spans,
    errors: [],
  };
}

describe("Waterfall", () => {
  it("marks a call that shared an identical request in flight, and only that one", () => {
    const html = renderToStaticMarkup(<Waterfall trace={trace([span(0, false), span(1, true)])} selected={null} onSelect={() => undefined} />);
    expect(html.match(/shared ·/g)?.length).toBe(1);
    expect(html).toContain("no call of its own was sent");
  });
});
