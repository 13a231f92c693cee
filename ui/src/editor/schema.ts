// The editor's schema: the workspace's one public SDL (the same for every kind of
// workspace) built for cm6-graphql's completion, linting and hover.
import { buildSchema, type GraphQLSchema } from "graphql";
import { getDiagnostics } from "graphql-language-service";

export function schemaFrom(sdl: string): GraphQLSchema | undefined {
  if (sdl.trim() === "") return undefined;
  try {
    return buildSchema(sdl, { assumeValidSDL: true });
  } catch {
    return undefined;
  }
}

/** The problems the editor underlines in `query` (cm6-graphql's linter calls the same). */
/** A schema the language service cannot use at all is one problem, as the editor shows it. */
export function lintProblems(sdl: string, query: string): string[] {
  const schema = schemaFrom(sdl);
  try {
    return getDiagnostics(query, schema).map((d) =>
      typeof d.message === "string" ? d.message : d.message.value,
    );
  } catch (e) {
    return [e instanceof Error ? e.message : String(e)];
  }
}
