// The schema designer's model: pure functions over the workspace document (no React).
export * from "./types";
export * from "./ops";
export { validate, problemTarget, problemsByTarget, jsonPath, parsePath } from "./validate";
export type { DesignerProblem, ProblemCode, ProblemTarget } from "./validate";
export * from "./history";
export * from "./preview";
export * from "./tryit";
export { affectedOperations } from "./affected";
export { parseTypeRef, printTypeRef, renameNamedType, compatible, isGraphqlName } from "./typeref";
export { exposeOperations, isWrite, graphqlName } from "./expose";
export type { ExposeSpec } from "./expose";
export { addEnum, addUnion, addInput, removeKind, enumValueName } from "./kinds";
