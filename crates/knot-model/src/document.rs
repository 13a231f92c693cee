//! Reading GraphQL executable documents (requests, saved operations) without letting their
//! nesting overflow the stack.
//!
//! async-graphql-parser bounds the nesting of selection sets (64) but reads values
//! (`[[[…]]]`, `{a: {a: …}}`) recursively with no bound, so a request of a few kilobytes
//! nested deeply enough overflows the thread's stack and aborts the whole process (found
//! with the `plan` fuzz target). Every document Knot parses goes through [`parse_query`], which first
//! measures the nesting with a linear scan that never recurses and refuses anything deeper
//! than [`MAX_NESTING`].

use async_graphql_parser::types::ExecutableDocument;
use async_graphql_parser::{Error, Pos};

/// Deepest nesting of `{`, `[` and `(` together a document may have. Far beyond any real
/// operation (the parser refuses selection sets nested more than 64 deep anyway), and small
/// enough to parse within the 2 MiB stack of a test or tokio worker thread, even unoptimised.
pub const MAX_NESTING: usize = 128;

/// `async_graphql_parser::parse_query`, refusing first (as a syntax error at the bracket
/// that goes too deep) a document nested more than [`MAX_NESTING`] levels.
pub fn parse_query(document: &str) -> Result<ExecutableDocument, Error> {
    if let Some(start) = too_deep(document) {
        return Err(Error::Syntax {
            message: format!("the document is nested more than {MAX_NESTING} levels deep"),
            start,
            end: None,
        });
    }
    async_graphql_parser::parse_query(document)
}

/// The position of the first opening bracket beyond [`MAX_NESTING`], outside strings, block
/// strings and comments (which may hold brackets freely).
fn too_deep(document: &str) -> Option<Pos> {
    let mut depth = 0usize;
    let (mut line, mut column) = (1, 0);
    let mut chars = document.chars().peekable();
    while let Some(c) = chars.next() {
        column += 1;
        match c {
            '\n' => (line, column) = (line + 1, 0),
            '#' => while chars.next_if(|c| *c != '\n').is_some() {},
            '"' => {
                if chars.next_if_eq(&'"').is_some() {
                    if chars.next_if_eq(&'"').is_none() {
                        continue; // the empty string ""
                    }
                    // A block string runs to the next unescaped """.
                    let mut quotes = 0;
                    let mut escaped = false;
                    for c in chars.by_ref() {
                        if c == '\n' {
                            (line, column) = (line + 1, 0);
                        }
                        match c {
                            '"' if !escaped => quotes += 1,
                            _ => quotes = 0,
                        }
                        escaped = c == '\\';
                        if quotes == 3 {
                            break;
                        }
                    }
                } else {
                    // A string ends at the next unescaped quote or the end of the line.
                    let mut escaped = false;
                    while let Some(c) = chars.next_if(|c| *c != '\n') {
                        if c == '"' && !escaped {
                            break;
                        }
                        escaped = c == '\\' && !escaped;
                    }
                }
            }
            '{' | '[' | '(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(Pos { line, column });
                }
            }
            '}' | ']' | ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(open: &str, close: &str, n: usize) -> String {
        format!("{{ a(x: {}1{}) }}", open.repeat(n - 2), close.repeat(n - 2))
    }

    #[test]
    fn a_document_at_the_limit_parses() {
        // Two levels are the selection set and the argument list.
        assert!(parse_query(&nested("[", "]", MAX_NESTING)).is_ok());
        assert!(parse_query(&nested("{a: ", "}", MAX_NESTING)).is_ok());
    }

    #[test]
    fn deeper_nesting_is_refused_before_the_parser_recurses() {
        // Found with the `plan` fuzz target: 12,000 nested lists in an argument overflowed the stack of the
        // recursive value reader (a segfault, not an error); on a 2 MiB worker thread a few
        // thousand were enough.
        for doc in [
            nested("[", "]", MAX_NESTING + 1),
            nested("[", "]", 100_000),
            nested("{a: ", "}", 100_000),
        ] {
            let Err(e) = parse_query(&doc) else {
                panic!("a document nested too deep parsed");
            };
            assert!(e.to_string().contains("nested more than 128 levels"), "{e}");
        }
        let Err(Error::Syntax { start, .. }) =
            parse_query(&format!("query {{\n  a(x: {})\n}}", "[".repeat(200)))
        else {
            panic!("no syntax error");
        };
        assert_eq!((start.line, start.column), (2, 134));
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let deep = "[".repeat(1000);
        let doc = format!(
            "# {deep}\n{{ a(x: \"{deep}\\\"{deep}\", y: \"\"\"{deep}\n\\\"\"\"{deep}\"\"\", z: \"\") }}"
        );
        assert!(parse_query(&doc).is_ok(), "{:?}", parse_query(&doc).err());
    }
}
