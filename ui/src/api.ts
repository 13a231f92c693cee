// One typed wrapper per command of src-tauri/API.md. Every rejection is turned into an
// `ApiFailure` that carries the DTO's `code` and `message`, so screens never match strings.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type {
  ApiError,
  ApiErrorCode,
  CallView,
  EnvironmentView,
  EnvVariableInput,
  HistoryEntryView,
  HistoryRunView,
  OperationCallsView,
  PlanResult,
  QueryRequest,
  RestSourceInput,
  RunProgress,
  RunResult,
  SendOptionsView,
  TopologyFormat,
  TopologyView,
  WorkspaceSummary,
  WorkspaceView,
} from "./bindings";

export class ApiFailure extends Error implements ApiError {
  readonly code: ApiErrorCode;
  readonly command: string;
  constructor(command: string, error: ApiError) {
    super(error.message);
    this.name = "ApiFailure";
    this.code = error.code;
    this.command = command;
  }
}

const CODES: readonly ApiErrorCode[] = ["invalidInput", "notFound", "workspace", "store", "source", "cancelled", "internal"];

function toApiError(raw: unknown): ApiError {
  if (raw !== null && typeof raw === "object") {
    const o = raw as { code?: unknown; message?: unknown };
    if (typeof o.message === "string") {
      const code = CODES.find((c) => c === o.code) ?? "internal";
      return { code, message: o.message };
    }
  }
  if (raw instanceof Error) return { code: "internal", message: raw.message };
  return { code: "internal", message: typeof raw === "string" ? raw : "Unknown error" };
}

/** True when the page runs inside the Tauri shell (IPC available). */
export function hasDesktopShell(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  if (!hasDesktopShell()) {
    throw new ApiFailure(command, { code: "internal", message: "Knot needs its desktop shell" });
  }
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw new ApiFailure(command, toApiError(e));
  }
}

export const api = {
  workspaceCurrent: () => call<WorkspaceView>("workspace_current"),
  workspaceList: () => call<WorkspaceSummary[]>("workspace_list"),
  workspaceOpen: (id: number) => call<WorkspaceView>("workspace_open", { id }),
  // Paths are never sent: these commands open the native dialog in the app (Rust) and use
  // the file the person chose; a recent file is opened only if it is on the store's list.
  workspaceOpenFile: () => call<WorkspaceView>("workspace_open_file"),
  workspaceOpenRecent: (path: string) => call<WorkspaceView>("workspace_open_recent", { path }),
  workspaceCreate: (name: string) => call<WorkspaceView>("workspace_create", { name }),
  workspaceSaveAs: () => call<WorkspaceView>("workspace_save_as"),
  workspaceUpdate: (document: unknown) => call<WorkspaceView>("workspace_update", { document }),
  /** Trusts the open workspace's source URLs as they are now (stored secrets used again). */
  workspaceConfirmSources: () => call<WorkspaceView>("workspace_confirm_sources"),
  environmentSelect: (name: string) => call<WorkspaceView>("environment_select", { name }),
  environmentList: () => call<EnvironmentView[]>("environment_list"),
  environmentSave: (name: string, variables: EnvVariableInput[]) =>
    call<WorkspaceView>("environment_save", { name, variables }),
  environmentDelete: (name: string) => call<WorkspaceView>("environment_delete", { name }),
  recentFiles: () => call<string[]>("recent_files"),
  sourceAddRest: (input: RestSourceInput) => call<WorkspaceView>("source_add_rest", { input }),
  sourceImportOpenapi: (name: string, text: string, baseUrl: string | null) =>
    call<WorkspaceView>("source_import_openapi", { name, text, baseUrl }),
  sourceImportGraphql: (name: string, url: string) => call<WorkspaceView>("source_import_graphql", { name, url }),
  sourceImportGrpc: (name: string, endpoint: string) => call<WorkspaceView>("source_import_grpc", { name, endpoint }),
  sourceImportProto: (name: string, endpoint: string) => call<WorkspaceView>("source_import_proto", { name, endpoint }),
  operationSend: (source: string, operation: string, inputs: Record<string, unknown>, options?: SendOptionsView) =>
    call<CallView>("operation_send", { source, operation, inputs, options: options ?? null }),
  queryPlan: (request: QueryRequest) => call<PlanResult>("query_plan", { request }),
  queryRun: (runId: string, request: QueryRequest) => call<RunResult>("query_run", { runId, request }),
  queryCancel: (runId: string) => call<boolean>("query_cancel", { runId }),
  historyList: (limit: number) => call<HistoryEntryView[]>("history_list", { limit }),
  historyGet: (id: number) => call<HistoryRunView>("history_get", { id }),
  /** Deletes one run of the history; false when there was no such run. */
  historyDelete: (id: number) => call<boolean>("history_delete", { id }),
  topologyView: (withOverlay: boolean) => call<TopologyView>("topology_view", { withOverlay }),
  topologyText: (format: TopologyFormat) => call<string>("topology_text", { format }),
  /** A saved operation as GraphQL, REST and gRPC calls, with curl/grpcurl commands. */
  operationCalls: (name: string, variables: Record<string, unknown> | null) =>
    call<OperationCallsView>("operation_calls", { name, variables }),
  /** Saves a picture where the person chooses in the native Save dialog; the path written. */
  exportSave: (fileName: string, bytes: Uint8Array) => call<string>("export_save", { fileName, bytes: Array.from(bytes) }),
};

/** True when the person closed a native dialog without choosing (nothing to report). */
export function isCancelled(e: unknown): boolean {
  return e instanceof ApiFailure && e.code === "cancelled";
}

/** Subscribes to `run-progress`; resolves to the function that unsubscribes. */
export function onRunProgress(handler: (p: RunProgress) => void): Promise<UnlistenFn> {
  if (!hasDesktopShell()) return Promise.resolve(() => undefined);
  return listen<RunProgress>("run-progress", (event) => handler(event.payload));
}

export function errorMessage(e: unknown): string {
  if (e instanceof ApiFailure) return e.code === "internal" ? e.message : `${e.message} (${e.code})`;
  return toApiError(e).message;
}

export function newRunId(): string {
  if (typeof crypto !== "undefined" && "randomUUID" in crypto) return crypto.randomUUID();
  return `run-${Date.now()}-${Math.random().toString(16).slice(2)}`;
}
