// The parts of the workspace file (schema/workspace-v1.schema.json) the schema designer reads
// and edits. The document is the file format itself, so these types mirror the JSON Schema
// rather than a DTO: optional keys are optional here, maps are records keyed by name in file
// order. Edits copy objects with spreads, so keys these types do not name survive untouched.

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** `name -> GraphQL type` (`ID!`, `[ID!]!`): the typed inputs of an operation. */
export type Inputs = Record<string, string>;

export interface RestOperation {
  description?: string;
  method: HttpMethod;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: JsonValue;
  inputs?: Inputs;
}

export interface GrpcOperation {
  description?: string;
  method: string;
  inputs?: Inputs;
}

export interface GraphqlOperation {
  description?: string;
  operationType?: "query" | "mutation";
  field: string;
  inputs?: Inputs;
  selection?: string | null;
}

interface SourceCommon {
  description?: string;
  headers?: Record<string, string>;
  forwardHeaders?: string[];
  timeoutMs?: number | null;
  maxConcurrency?: number | null;
}

export interface RestSource extends SourceCommon {
  kind: "rest";
  baseUrl: string;
  operations?: Record<string, RestOperation>;
}

export interface GrpcSource extends SourceCommon {
  kind: "grpc";
  endpoint: string;
  protoFiles?: string[];
  importPaths?: string[];
  reflection?: boolean;
  operations?: Record<string, GrpcOperation>;
}

export interface GraphqlSource extends SourceCommon {
  kind: "graphql";
  url: string;
  operations?: Record<string, GraphqlOperation>;
  /** Set when the source is a Federation v2 subgraph (its root fields are the workspace's). */
  subgraph?: { sdlFile?: string };
}

export type Source = RestSource | GrpcSource | GraphqlSource;

/** The key taken from each parent object: parent field -> operation input. */
export interface KeyBinding {
  parent: string;
  input: string;
}

/** How batch results are matched back to keys: a field (dot path) of each result, or position. */
export type MatchBy = { field: string } | "order";

export interface BatchOptions {
  match: MatchBy;
  maxBatchSize?: number | null;
}

/** Where one operation input's value comes from. */
export type ArgValue =
  | { parent: string }
  | { argument: string }
  | { env: string }
  | { value: JsonValue };

export interface Binding {
  source: string;
  operation: string;
  key?: KeyBinding | null;
  batch?: BatchOptions | null;
  args?: Record<string, ArgValue>;
  result?: string | null;
}

export interface ArgumentDef {
  type: string;
  description?: string;
  default?: JsonValue;
  allowBlank?: boolean;
}

export interface FieldDef {
  type: string;
  description?: string;
  arguments?: Record<string, ArgumentDef>;
  private?: boolean;
  from?: string | null;
  binding?: Binding | null;
  /** Deprecated, with this reason. */
  deprecated?: string | null;
  /** An aggregated write: several operations that all take the field's input. */
  aggregate?: Aggregate | null;
}

/** One target of an aggregated write, under its public label. */
export interface AggregateTarget {
  source: string;
  operation: string;
  args?: Record<string, ArgValue>;
  timeoutMs?: number | null;
  required?: boolean;
}

export interface Aggregate {
  targets: Record<string, AggregateTarget>;
  idempotencyKey?: boolean;
}

export interface ObjectType {
  description?: string;
  implements?: string[];
  fields: Record<string, FieldDef>;
}

export interface EnumValueDef {
  description?: string;
  /** Deprecated, with this reason. */
  deprecated?: string | null;
  /** The downstream spelling of this value, when it is not the value's own name. */
  from?: string | null;
}

export interface EnumType {
  description?: string;
  values: Record<string, EnumValueDef>;
}

export interface InputFieldDef {
  type: string;
  description?: string;
  default?: JsonValue;
  allowBlank?: boolean;
}

export interface InputObjectType {
  description?: string;
  fields: Record<string, InputFieldDef>;
}

export interface UnifiedSchema {
  types: Record<string, ObjectType>;
  /** Enum types by name (field and argument types). */
  enums?: Record<string, EnumType>;
  /** Input object types by name (argument types). */
  inputs?: Record<string, InputObjectType>;
  /** Interfaces by name: object types list them in `implements`. */
  interfaces?: Record<string, InterfaceType>;
  /** Unions of object types by name. */
  unions?: Record<string, UnionType>;
  /** Custom scalars by name (`DateTime` is checked as RFC 3339). */
  scalars?: Record<string, { description?: string }>;
}

/** How a downstream object of an abstract type names its concrete type. */
export interface Discriminator {
  field: string;
  values?: Record<string, string>;
}

export interface InterfaceType {
  description?: string;
  fields: Record<string, { type: string; description?: string; arguments?: Record<string, ArgumentDef>; deprecated?: string | null }>;
  discriminator?: Discriminator | null;
}

export interface UnionType {
  description?: string;
  types: string[];
  discriminator?: Discriminator | null;
}

export interface RestEndpoint {
  method?: HttpMethod;
  path: string;
}

/** A saved operation served as a gRPC method: its field numbers (`request.VAR`,
 * `response.KEY`, `response.KEY.KEY`), recorded by `knot export proto`, never reused. */
export interface GrpcMethod {
  fields?: Record<string, number>;
}

export interface SavedOperation {
  description?: string;
  document: string;
  operationName?: string | null;
  rest?: RestEndpoint | null;
  grpc?: GrpcMethod | null;
}

export type EnvVariable =
  | string
  | { value?: string | null; secret?: boolean; description?: string };

export interface Environment {
  variables?: Record<string, EnvVariable>;
}

export interface GatewaySettings {
  maxBodyBytes?: number | null;
  maxDepth?: number | null;
  maxAliases?: number | null;
  maxFields?: number | null;
  requestTimeoutMs?: number | null;
  introspection?: boolean | null;
  traceHeader?: string | null;
  traceToken?: string | null;
  allowedHosts?: string[] | null;
  shutdownGraceMs?: number | null;
  headerReadTimeoutMs?: number | null;
  bodyReadTimeoutMs?: number | null;
  idleTimeoutMs?: number | null;
  maxConnections?: number | null;
  maxInFlight?: number | null;
  maxResponseBytes?: number | null;
}

/** A whole workspace file (format version 1). */
export interface WorkspaceDoc {
  $schema?: string | null;
  version: number;
  name: string;
  description?: string;
  sources?: Record<string, Source>;
  schema: UnifiedSchema;
  operations?: Record<string, SavedOperation>;
  environments?: Record<string, Environment>;
  defaultEnvironment?: string | null;
  gateway?: GatewaySettings;
}

/** The root type of the unified schema. */
export const QUERY_TYPE = "Query";
/** The root type of mutations (fields bound to operations that change data). */
export const MUTATION_TYPE = "Mutation";

/** The scalars every unified schema and every operation input knows. */
export const BUILTIN_SCALARS: readonly string[] = ["ID", "String", "Int", "Float", "Boolean", "JSON"];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * `WorkspaceView.document` (typed `unknown` by the generated bindings) as a workspace document,
 * or null when it does not even have the shape the designer needs (`schema.types` of objects
 * with `fields`). Deeper problems are for `validate`.
 */
export function asWorkspaceDoc(value: unknown): WorkspaceDoc | null {
  if (!isRecord(value) || !isRecord(value.schema) || !isRecord(value.schema.types)) return null;
  for (const t of Object.values(value.schema.types)) {
    if (!isRecord(t) || !isRecord(t.fields)) return null;
    for (const f of Object.values(t.fields)) {
      if (!isRecord(f) || typeof f.type !== "string") return null;
    }
  }
  return value as unknown as WorkspaceDoc;
}
