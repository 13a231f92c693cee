// Runs every graphql-http server audit against the URL given and prints the results as JSON.
import { serverAudits } from "graphql-http";
const url = process.argv[2];
const results = [];
for (const audit of serverAudits({ url })) {
  let r;
  try { r = await audit.fn(); } catch (e) { r = { status: "error", reason: String(e) }; }
  results.push({ id: audit.id, name: audit.name, status: r.status, reason: r.reason ?? null });
}
console.log(JSON.stringify(results));
