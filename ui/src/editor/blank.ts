// Whether an editor's text holds no GraphQL at all (only whitespace and `#` comments): the
// parser's "Unexpected <EOF>" for such a text is not a mistake of the person's, and drawn at
// offset 0 it put a red mark on the editor's placeholder.
export function isBlankDocument(text: string): boolean {
  return text.replace(/#[^\n\r]*/g, "").trim() === "";
}
