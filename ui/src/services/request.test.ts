import { describe, expect, it } from "vitest";
import type { InputView } from "../bindings";
import type { Source } from "../designer/types";
import { shop } from "../designer/testFixtures";
import {
  bodyTemplateText,
  formatBytes,
  groupByPlace,
  headerProblems,
  headersToSend,
  resolvedAddress,
  type HeaderRow,
  inputPlaces,
  jsonProblem,
  keptDraft,
  parseDraft,
  missingRequired,
  requestCommand,
  shellQuote,
  withBlankRow,
} from "./request";

const input = (name: string, type: string): InputView => ({ name, type, required: type.endsWith("!") });

describe("where inputs go", () => {
  it("puts a REST operation's inputs in path, query, headers and body by its templates", () => {
    const source: Source = {
      kind: "rest",
      baseUrl: "http://x",
      headers: { "x-tenant": "{tenant}" },
      operations: {
        search: { method: "POST", path: "/shops/{shop}/search", query: { q: "{text}", limit: "{limit}" }, body: { filter: { tags: "{tags}" } } },
      },
    };
    const inputs = [input("shop", "ID!"), input("text", "String!"), input("limit", "Int"), input("tenant", "String"), input("tags", "[String]"), input("spare", "String")];
    const places = inputPlaces(source, "search", inputs);
    expect(Object.fromEntries(places)).toEqual({ shop: "path", text: "query", limit: "query", tenant: "header", tags: "body", spare: "unused" });
    expect(groupByPlace(inputs, places).map(([p, l]) => [p, l.map((i) => i.name)])).toEqual([
      ["path", ["shop"]],
      ["query", ["text", "limit"]],
      ["header", ["tenant"]],
      ["body", ["tags"]],
      ["unused", ["spare"]],
    ]);
  });

  it("knows the shop's operations: a path id, a JSON body, gRPC message fields", () => {
    const doc = shop();
    expect(Object.fromEntries(inputPlaces(doc.sources?.orders, "getOrder", [input("id", "ID!")]))).toEqual({ id: "path" });
    expect(Object.fromEntries(inputPlaces(doc.sources?.orders, "placeOrder", [input("order", "JSON!")]))).toEqual({ order: "body" });
    expect(Object.fromEntries(inputPlaces(doc.sources?.products, "GetProducts", [input("ids", "[ID!]!")]))).toEqual({ ids: "message" });
  });
});

describe("required inputs", () => {
  it("lists required inputs that are empty or blank, not optional ones", () => {
    const inputs = [input("id", "ID!"), input("note", "String"), input("ids", "[ID!]!")];
    expect(missingRequired(inputs, { id: "  ", note: "" })).toEqual(["id", "ids"]);
    expect(missingRequired(inputs, { id: "1", ids: "1,2" })).toEqual([]);
  });
});

describe("copy as a command", () => {
  it("writes a GET as curl with its headers, quoting what the shell would split", () => {
    expect(
      requestCommand({ method: "GET", target: "http://127.0.0.1:7101/orders/1?q=a b", headers: [["authorization", "Bearer {{secret.TOKEN}}"]], body: null }),
    ).toBe("curl 'http://127.0.0.1:7101/orders/1?q=a b' -H 'authorization: Bearer {{secret.TOKEN}}'");
  });

  it("writes a POST with a JSON body and a content type", () => {
    expect(requestCommand({ method: "POST", target: "http://h/orders", headers: [], body: { userId: "1", note: "it's" } })).toBe(
      `curl -X POST http://h/orders -H 'content-type: application/json' --data-raw '{"userId":"1","note":"it'\\''s"}'`,
    );
  });

  it("writes a gRPC call as grpcurl against the endpoint and method", () => {
    expect(
      requestCommand({ method: "grpc", target: "http://127.0.0.1:7103/knot.demo.products.v1.ProductService/GetProducts", headers: [], body: { ids: ["1"] } }),
    ).toBe(`grpcurl -plaintext -d '{"ids":["1"]}' 127.0.0.1:7103 knot.demo.products.v1.ProductService/GetProducts`);
  });

  it("leaves plain words unquoted", () => {
    expect(shellQuote("http://h/x")).toBe("http://h/x");
    expect(shellQuote("")).toBe("''");
  });
});

describe("sizes", () => {
  it("shows bytes, kilobytes and megabytes", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(2048)).toBe("2.0 KB");
    expect(formatBytes(3 * 1024 * 1024)).toBe("3.0 MB");
  });
});

describe("where a call goes", () => {
  const vars = new Map([["ORDERS_URL", "http://127.0.0.1:4001/"]]);
  it("fills the base address from the environment and the path from the inputs typed", () => {
    expect(resolvedAddress("{{env.ORDERS_URL}}", "/orders/{id}", vars, { id: "a b" })).toBe("http://127.0.0.1:4001/orders/a%20b");
    expect(resolvedAddress("{{ env.ORDERS_URL }}", "/orders/{id}", vars, {})).toBe("http://127.0.0.1:4001/orders/{id}");
    expect(resolvedAddress("http://h:1/api", "orders", new Map(), {})).toBe("http://h:1/api/orders");
  });
  it("shows nothing when a variable is unknown or secret", () => {
    expect(resolvedAddress("{{env.NOPE}}", "/x", vars, {})).toBeNull();
    expect(resolvedAddress("{{secret.KEY}}/v1", "/x", vars, {})).toBeNull();
  });
});

describe("Send's headers and body", () => {
  it("drops blank rows and keeps one blank row to type into", () => {
    expect(headersToSend([["x-a", "1"], ["", ""], [" x-b ", "{{env.B}}"]])).toEqual([["x-a", "1"], ["x-b", "{{env.B}}"]]);
    expect(withBlankRow([["x-a", "1"]])).toEqual([["x-a", "1"], ["", ""]]);
    expect(withBlankRow([["x-a", "1"], ["", ""]])).toEqual([["x-a", "1"], ["", ""]]);
    expect(withBlankRow([])).toEqual([["", ""]]);
  });

  it("keeps a header switched off in the table and sends it no more", () => {
    const rows: HeaderRow[] = [["x-a", "1", true], ["x-b", "2"]];
    expect(headersToSend(rows)).toEqual([["x-b", "2"]]);
    // A repeated or nameless header that is off is no problem: it is not sent.
    expect(headerProblems([["x-b", "1", true], ["x-b", "2"], ["", "v", true]])).toEqual([]);
    // Kept across launches with its switch, a credential in it still only as a reference.
    expect(keptDraft({ headers: [["authorization", "Bearer t0k", true], ["x-c", "3", true]], auth: { kind: "none" }, body: null }).headers).toEqual([
      ["authorization", "", true],
      ["x-c", "3", true],
    ]);
    expect(parseDraft(JSON.parse(JSON.stringify({ headers: rows, auth: { kind: "none" }, body: null })))?.headers).toEqual(rows);
    expect(parseDraft({ headers: [["k", "v", "yes"]], auth: {}, body: null })?.headers).toEqual([["k", "v"]]);
  });

  it("names what is wrong with a header table", () => {
    expect(headerProblems([["x-a", "1"], ["", ""]])).toEqual([]);
    expect(headerProblems([["", "orphan"]])).toEqual(['The header with the value "orphan" has no name.']);
    expect(headerProblems([["bad name", "v"]])).toEqual(['"bad name" is not a valid header name.']);
    expect(headerProblems([["X-A", "1"], ["x-a", "2"]])).toEqual(['"x-a" is set twice.']);
  });

  it("says where a body stops being JSON", () => {
    expect(jsonProblem("")).toBeNull();
    expect(jsonProblem('{"a": 1}')).toBeNull();
    expect(jsonProblem('{\n  "a": nope\n}')).toBe("line 2, column 8: expected a value");
    expect(jsonProblem('{"a": 1,}')).toBe("line 1, column 9: expected a quoted key");
    expect(jsonProblem('{"a": "x}')).toBe('line 1, column 10: expected a closing "');
    expect(jsonProblem("[1, 2] x")).toBe("line 1, column 8: expected the end of the text");
    // Everything JSON.parse takes, this takes too.
    for (const ok of ['{"a": [1, -2.5e3, true, false, null, "\\u00e9\\n"]}', "  0 ", '""', "[[], {}]"]) {
      expect(() => JSON.parse(ok)).not.toThrow();
      expect(jsonProblem(ok)).toBeNull();
    }
    for (const bad of ["01", "[1,]", '{"a" 1}', "tru", "-", "1.", '"\\x"']) {
      expect(() => JSON.parse(bad)).toThrow();
      expect(jsonProblem(bad)).not.toBeNull();
    }
  });

  it("starts the body editor from the operation's template", () => {
    const source = {
      kind: "rest",
      baseUrl: "http://x",
      operations: { create: { method: "POST", path: "/o", body: { id: "{id}" } }, get: { method: "GET", path: "/o" } },
    } as unknown as Source;
    expect(bodyTemplateText(source, "create")).toBe('{\n  "id": "{id}"\n}');
    expect(bodyTemplateText(source, "get")).toBe("");
    expect(bodyTemplateText(undefined, "create")).toBe("");
  });
});

describe("what Send keeps across launches", () => {
  it("keeps headers and the body, credentials only as references", () => {
    const draft = {
      headers: [
        ["x-trace", "e2e-42"],
        ["authorization", "Bearer abc123"],
        ["X-Api-Key", "{{secret.KEY}}"],
        ["", ""],
      ] as [string, string][],
      auth: { kind: "bearer" as const, token: "tok-123" },
      body: '{"a": 1}',
    };
    expect(keptDraft(draft)).toEqual({
      headers: [
        ["x-trace", "e2e-42"],
        ["authorization", ""],
        ["X-Api-Key", "{{secret.KEY}}"],
      ],
      auth: { kind: "bearer", token: "" },
      body: '{"a": 1}',
    });
    expect(keptDraft({ ...draft, auth: { kind: "bearer", token: "{{secret.TOKEN}}" } }).auth).toEqual({
      kind: "bearer",
      token: "{{secret.TOKEN}}",
    });
    expect(keptDraft({ ...draft, auth: { kind: "basic", username: "alice", password: "hunter2" } }).auth).toEqual({
      kind: "basic",
      username: "alice",
      password: "",
    });
    expect(keptDraft({ ...draft, auth: { kind: "apiKey", header: "x-key", value: "{{env.K}} {{secret.S}}" } }).auth).toEqual({
      kind: "apiKey",
      header: "x-key",
      value: "{{env.K}} {{secret.S}}",
    });
  });

  it("reads back what it wrote and nothing else", () => {
    const d = { headers: [["a", "b"]] as [string, string][], auth: { kind: "basic" as const, username: "u", password: "" }, body: null };
    expect(parseDraft(JSON.parse(JSON.stringify(d)))).toEqual(d);
    expect(parseDraft(null)).toBeNull();
    expect(parseDraft("text")).toBeNull();
    expect(parseDraft({ headers: [["a"], 3, ["k", "v"]], auth: { kind: "weird" }, body: 7 })).toEqual({
      headers: [["k", "v"]],
      auth: { kind: "none" },
      body: null,
    });
  });
});
