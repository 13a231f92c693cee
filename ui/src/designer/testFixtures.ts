// The bundled examples as test fixtures, read as text (Vite `?raw`) so they are the real files;
// every fixture is deep-frozen, so an edit that mutates its input throws.
import shopText from "../../../examples/shop.knot.json?raw";
import tradingText from "../../../examples/trading.knot.json?raw";
import fleetText from "../../../examples/fleet.knot.json?raw";
import type { WorkspaceDoc } from "./types";
import { asWorkspaceDoc } from "./types";

function deepFreeze<T>(v: T): T {
  if (typeof v === "object" && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

function load(text: string): WorkspaceDoc {
  const doc = asWorkspaceDoc(JSON.parse(text));
  if (!doc) throw new Error("fixture is not a workspace");
  return deepFreeze(doc);
}

export const shop = (): WorkspaceDoc => load(shopText);
export const trading = (): WorkspaceDoc => load(tradingText);
export const fleet = (): WorkspaceDoc => load(fleetText);
