// Pass-through exposure (the founding documents' pass-through aggregation): chosen operations
// of one or several sources become plain root fields of the unified schema in one step, each
// bound to its operation with one argument per operation input and a `JSON` result (refine
// the type later, e.g. with "Make type" from the operation's output). Reads go under
// `Query`; writes (REST POST/PUT/PATCH/DELETE, GraphQL mutations, gRPC methods named like a
// write) under `Mutation`, created when missing.
import type { FieldDef, Source, WorkspaceDoc } from "./types";
import { MUTATION_TYPE, QUERY_TYPE } from "./types";
import type { EditResult } from "./doc";
import { fail, getSource, getType, hasOperation, ok, operationInputs, withField, withType } from "./doc";
import { isGraphqlName } from "./typeref";

/** An operation to expose: `source.operation`. */
export interface ExposeSpec {
  source: string;
  operation: string;
}

const WRITE_VERBS = /^(create|update|delete|remove|place|set|add|cancel|put|post|patch|insert|register|send)/i;

/** Whether an operation changes data, so its field belongs under `Mutation`. */
export function isWrite(source: Source, operation: string): boolean {
  switch (source.kind) {
    case "rest": {
      const method = source.operations?.[operation]?.method ?? "GET";
      return method !== "GET";
    }
    case "graphql":
      return source.operations?.[operation]?.operationType === "mutation";
    case "grpc":
      return WRITE_VERBS.test(operation.split("/").pop() ?? operation);
  }
}

/** A GraphQL name from an operation or input name: `GetProduct` -> `getProduct`, `instrument-id` -> `instrument_id`. */
export function graphqlName(raw: string): string {
  const last = raw.split(/[/.]/).pop() ?? raw;
  let name = last.replace(/[^_0-9A-Za-z]/g, "_");
  if (!/^[_A-Za-z]/.test(name)) name = `_${name}`;
  if (/^[A-Z][a-z]/.test(name)) name = name[0]!.toLowerCase() + name.slice(1);
  return name;
}

/** Exposes each operation as a root field; names that are taken get the source's name after them. */
export function exposeOperations(doc: WorkspaceDoc, specs: ExposeSpec[]): EditResult {
  if (specs.length === 0) return fail(doc, "choose at least one operation to expose");
  let out = doc;
  for (const { source: sourceName, operation } of specs) {
    const source = getSource(out, sourceName);
    if (!source) return fail(doc, `unknown source \`${sourceName}\``);
    if (!hasOperation(source, operation)) {
      return fail(doc, `source \`${sourceName}\` has no operation \`${operation}\``);
    }
    const root = isWrite(source, operation) ? MUTATION_TYPE : QUERY_TYPE;
    if (!getType(out, root)) out = withType(out, root, { fields: {} });
    const fields = getType(out, root)?.fields ?? {};
    let name = graphqlName(operation);
    if (Object.prototype.hasOwnProperty.call(fields, name)) name = `${name}_${graphqlName(sourceName)}`;
    if (Object.prototype.hasOwnProperty.call(fields, name) || !isGraphqlName(name)) {
      return fail(doc, `\`${root}\` already has a field \`${name}\`; rename it first`);
    }
    const args: NonNullable<FieldDef["arguments"]> = {};
    const bindingArgs: Record<string, { argument: string }> = {};
    for (const [input, type] of Object.entries(operationInputs(source, operation))) {
      const arg = graphqlName(input);
      args[arg] = { type };
      bindingArgs[input] = { argument: arg };
    }
    const field: FieldDef = {
      type: "JSON",
      description: `${sourceName}.${operation}, passed through.`,
      ...(Object.keys(args).length > 0 ? { arguments: args } : {}),
      binding: {
        source: sourceName,
        operation,
        ...(Object.keys(bindingArgs).length > 0 ? { args: bindingArgs } : {}),
      },
    };
    out = withField(out, root, name, field);
  }
  return ok(out);
}
