// ELK for the designer canvas: in a web worker, so laying out a large schema never blocks the
// window; if the worker cannot start or dies, the same ELK in the page instead. Loaded only with
// the designer (DesignerGraph is a lazy chunk).
import ElkApi from "elkjs/lib/elk-api.js";
import workerUrl from "elkjs/lib/elk-worker.min.js?url";
import type { ElkLike, ElkNode } from "../designer/arrange";
import { arrange } from "../designer/arrange";
import { layoutCanvas } from "../designer/canvas";
import type { WorkspaceDoc } from "../designer/types";

class WorkerFailed extends Error {}

interface InWorker {
  elk: ElkLike;
  /** Rejects with WorkerFailed when the worker cannot load its script or dies. */
  failed: Promise<never>;
}

let inWorker: InWorker | null | undefined;
let inPage: Promise<ElkLike> | null = null;

function startWorker(): InWorker | null {
  let failed: Promise<never> = new Promise(() => {});
  try {
    const elk = new ElkApi({
      workerUrl,
      workerFactory: (url) => {
        const w = new Worker(url ?? workerUrl);
        failed = new Promise<never>((_, reject) =>
          w.addEventListener("error", (e) => reject(new WorkerFailed(e.message || "the layout worker failed"))),
        );
        failed.catch(() => {});
        return w;
      },
    }) as unknown as ElkLike;
    return { elk, failed };
  } catch {
    return null;
  }
}

function page(): Promise<ElkLike> {
  inPage ??= import("elkjs/lib/elk.bundled.js").then((m) => new m.default() as unknown as ElkLike);
  return inPage;
}

/** The last few graphs laid out (by their JSON text) and ELK's answers, so a canvas laid out in
 * the background (`warmUp`) or shown before is placed at once. The answers are only read. */
const answers = new Map<string, Promise<ElkNode>>();
const KEEP = 4;

/** The designer's ELK. */
export const elk: ElkLike = {
  layout(graph: ElkNode): Promise<ElkNode> {
    const key = JSON.stringify(graph);
    const known = answers.get(key);
    if (known) return known;
    const answer = layoutNow(graph);
    answers.set(key, answer);
    answer.catch(() => answers.delete(key));
    while (answers.size > KEEP) answers.delete(answers.keys().next().value as string);
    return answer;
  },
};

async function layoutNow(graph: ElkNode): Promise<ElkNode> {
  if (inWorker === undefined) inWorker = startWorker();
  if (inWorker) {
    try {
      return await Promise.race([inWorker.elk.layout(graph), inWorker.failed]);
    } catch (e) {
      // An error of the graph itself would fail in the page as well: only a worker that
      // cannot run is replaced.
      if (!(e instanceof WorkerFailed)) throw e;
      console.warn(`designer layout: ${e.message}; laying out in the page instead`);
      inWorker = null;
    }
  }
  return (await page()).layout(graph);
}

/** Starts the worker and lays out `doc`'s designer canvas in the background, so ELK's script is
 * loaded and compiled and the canvas already placed when the designer first opens (the app
 * calls this once, a while after its first view). */
export function warmUp(doc: WorkspaceDoc): void {
  arrange(elk, doc, layoutCanvas(doc)).catch(() => {});
}
