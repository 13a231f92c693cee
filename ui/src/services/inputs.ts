// Text typed in forms -> the values commands expect: a REST operation's inputs from its
// path template and an "a: Type, b: Type" list, and an operation's input values by type.
import type { InputView, RestOperationInput } from "../bindings";
import { isListType, listItemType, namedType } from "../query/types";

const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** Path parameters of a template: "/orders/{id}/items/{itemId}" -> ["id", "itemId"]. */
export function pathParams(path: string): string[] {
  const out: string[] = [];
  for (const m of path.matchAll(/\{([^{}]+)\}/g)) {
    const name = (m[1] ?? "").trim();
    if (name && !out.includes(name)) out.push(name);
  }
  return out;
}

/** "q: String, limit: Int!" -> inputs; a bare name is a String. Errors name the bad item. */
export function parseInputList(text: string): { inputs: InputView[]; errors: string[] } {
  const inputs: InputView[] = [];
  const errors: string[] = [];
  for (const item of text.split(/[,\n]/).map((s) => s.trim()).filter(Boolean)) {
    const [rawName, rawType] = item.split(":").map((s) => s.trim());
    const name = rawName ?? "";
    const type = rawType && rawType !== "" ? rawType : "String";
    if (!NAME.test(name)) errors.push(`"${item}": the input name is not valid`);
    else if (!/^\[?[_A-Za-z][_0-9A-Za-z]*!?\]?!?$/.test(type)) errors.push(`"${item}": the type is not valid`);
    else if (inputs.some((i) => i.name === name)) errors.push(`"${name}" is listed twice`);
    else inputs.push({ name, type, required: type.endsWith("!") });
  }
  return { inputs, errors };
}

/** One REST operation: path parameters become required IDs unless listed with a type. */
export function restOperation(name: string, method: string, path: string, extra: string): { op: RestOperationInput; errors: string[] } {
  const { inputs, errors } = parseInputList(extra);
  const all: InputView[] = pathParams(path).map((p) => inputs.find((i) => i.name === p) ?? { name: p, type: "ID!", required: true });
  for (const i of inputs) if (!all.some((a) => a.name === i.name)) all.push(i);
  if (!NAME.test(name.trim())) errors.unshift("The operation needs a name (letters, digits, _)");
  if (!path.trim().startsWith("/")) errors.push("The path starts with /");
  return { op: { name: name.trim(), method: method.toUpperCase(), path: path.trim(), inputs: all }, errors };
}

/** A form value typed as text -> JSON for an input of the given type; undefined = leave out. */
export function inputValue(text: string, type: string): unknown {
  const raw = text.trim();
  if (raw === "") return undefined;
  if (isListType(type)) {
    if (raw.startsWith("[")) {
      try {
        return JSON.parse(raw);
      } catch {
        // fall back to comma-separated
      }
    }
    const item = listItemType(type);
    return raw.split(",").map((s) => s.trim()).filter(Boolean).map((s) => inputValue(s, item));
  }
  switch (namedType(type)) {
    case "Int":
    case "Float": {
      const n = Number(raw);
      return Number.isFinite(n) ? n : text;
    }
    case "Boolean":
      return raw === "true" ? true : raw === "false" ? false : text;
    case "String":
    case "ID":
      return text;
    default:
      if (raw.startsWith("{")) {
        try {
          return JSON.parse(raw);
        } catch {
          return text;
        }
      }
      return text;
  }
}

export function inputValues(inputs: InputView[], texts: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const i of inputs) {
    const v = inputValue(texts[i.name] ?? "", i.type);
    if (v !== undefined) out[i.name] = v;
  }
  return out;
}
