// Apollo Gateway peer for Knot's benchmarks and audit runs.
// Usage: node apollo.mjs SUPERGRAPH_FILE [PORT]   (or env SUPERGRAPH, PORT, HOST)
// Serves POST/GET /graphql and GET /health (200 once the supergraph is loaded).
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer, HeaderMap } from "@apollo/server";

const file = process.argv[2] ?? process.env.SUPERGRAPH ?? "supergraph.graphql";
const port = Number(process.argv[3] ?? process.env.PORT ?? 4000);
const gateway = new ApolloGateway({ supergraphSdl: readFileSync(file, "utf8") });
const server = new ApolloServer({ gateway });
await server.start();

createServer(async (req, res) => {
  const url = new URL(req.url, "http://x");
  if (url.pathname === "/health") return res.writeHead(200).end("OK");
  if (url.pathname !== "/graphql") return res.writeHead(404).end();
  let raw = "";
  for await (const chunk of req) raw += chunk;
  let body;
  try {
    body = raw ? JSON.parse(raw) : undefined;
  } catch {
    return res.writeHead(400, { "content-type": "text/plain" }).end("invalid JSON body");
  }
  const headers = new HeaderMap();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
  const out = await server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method, headers, search: url.search, body },
    context: async () => ({}),
  });
  res.writeHead(out.status ?? 200, Object.fromEntries(out.headers));
  if (out.body.kind === "complete") return res.end(out.body.string);
  for await (const part of out.body.asyncIterator) res.write(part);
  res.end();
}).listen(port, process.env.HOST ?? "127.0.0.1", () => console.log(`apollo gateway listening on port ${port}`));
