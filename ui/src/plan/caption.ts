// A fetch node's caption: `Type.field`, with the alias the document gave it in front
// (`a: Mutation.placeOrder`), so two fetches of one field under different aliases (two
// mutations in one document, say) can be told apart.
import type { PlanNodeView } from "../bindings";

export function nodeCaption(node: Pick<PlanNodeView, "label" | "path">): string {
  const field = node.label.slice(node.label.lastIndexOf(".") + 1);
  const last = node.path[node.path.length - 1];
  return last !== undefined && field !== "" && last !== field ? `${last}: ${node.label}` : node.label;
}
