// Names of the operations in a document, to pick one when there are several.
const OP = /(?:^|[\s}])(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/g;

export function operationNames(document: string): string[] {
  // Strip comments and strings so names inside them do not count.
  const clean = document.replace(/"""[\s\S]*?"""/g, '""').replace(/"(?:[^"\\\n]|\\.)*"/g, '""').replace(/#[^\n]*/g, "");
  const names: string[] = [];
  for (const m of clean.matchAll(OP)) if (m[1] && !names.includes(m[1])) names.push(m[1]);
  return names;
}
