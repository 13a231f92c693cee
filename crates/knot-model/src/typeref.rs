//! GraphQL type references (`ID!`, `[Product!]!`) as written in workspace files.
//!
//! The workspace stores types as strings so files stay readable; everything that reasons
//! about types parses them once into [`TypeRef`].

use std::fmt;

/// A parsed GraphQL type reference.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TypeRef {
    /// A named type, nullable.
    Named(String),
    /// A list of the inner type, nullable.
    List(Box<TypeRef>),
    /// The inner type, non-null.
    NonNull(Box<TypeRef>),
}

/// The scalars every unified schema and every operation input knows.
pub const BUILTIN_SCALARS: [&str; 6] = ["ID", "String", "Int", "Float", "Boolean", "JSON"];

/// Whether `name` is one of [`BUILTIN_SCALARS`].
pub fn is_builtin_scalar(name: &str) -> bool {
    BUILTIN_SCALARS.contains(&name)
}

/// Whether `name` is a valid GraphQL name (`[_A-Za-z][_0-9A-Za-z]*`).
pub fn is_graphql_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c == '_' || c.is_ascii_alphabetic() => {}
        _ => return false,
    }
    chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

impl TypeRef {
    /// Parses `"[ID!]!"`-style text. Returns a message naming what is wrong on failure.
    pub fn parse(text: &str) -> Result<TypeRef, String> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err("a type is required (for example \"ID!\" or \"[Product!]\")".into());
        }
        let (ty, rest) = parse_inner(trimmed, 0)?;
        if !rest.trim().is_empty() {
            return Err(format!(
                "unexpected `{}` after the type in \"{text}\"",
                rest.trim()
            ));
        }
        Ok(ty)
    }

    /// The named type at the core of the reference (`[Product!]!` -> `Product`).
    pub fn named(&self) -> &str {
        match self {
            TypeRef::Named(n) => n,
            TypeRef::List(inner) | TypeRef::NonNull(inner) => inner.named(),
        }
    }

    pub fn is_non_null(&self) -> bool {
        matches!(self, TypeRef::NonNull(_))
    }

    /// The type without its outermost `!`.
    pub fn nullable(&self) -> &TypeRef {
        match self {
            TypeRef::NonNull(inner) => inner,
            other => other,
        }
    }

    /// Whether the type (ignoring non-null) is a list.
    pub fn is_list(&self) -> bool {
        matches!(self.nullable(), TypeRef::List(_))
    }

    /// The element type of a list type (ignoring the outer non-null), if it is one.
    pub fn list_item(&self) -> Option<&TypeRef> {
        match self.nullable() {
            TypeRef::List(inner) => Some(inner),
            _ => None,
        }
    }
}

fn parse_inner(text: &str, depth: usize) -> Result<(TypeRef, &str), String> {
    if depth > 16 {
        return Err("type nested more than 16 lists deep".into());
    }
    let text = text.trim_start();
    let (base, rest) = if let Some(after) = text.strip_prefix('[') {
        let (inner, rest) = parse_inner(after, depth + 1)?;
        let rest = rest.trim_start();
        let Some(rest) = rest.strip_prefix(']') else {
            return Err("a list type is missing its closing `]`".into());
        };
        (TypeRef::List(Box::new(inner)), rest)
    } else {
        let end = text
            .find(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
            .unwrap_or(text.len());
        let name = &text[..end];
        if !is_graphql_name(name) {
            return Err(format!("`{text}` is not a type name"));
        }
        (TypeRef::Named(name.to_string()), &text[end..])
    };
    let rest_trim = rest.trim_start();
    if let Some(after) = rest_trim.strip_prefix('!') {
        Ok((TypeRef::NonNull(Box::new(base)), after))
    } else {
        Ok((base, rest))
    }
}

impl fmt::Display for TypeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeRef::Named(n) => write!(f, "{n}"),
            TypeRef::List(inner) => write!(f, "[{inner}]"),
            TypeRef::NonNull(inner) => write!(f, "{inner}!"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_nested_types() {
        for text in ["ID", "ID!", "[ID]", "[ID!]!", "[[Product!]]"] {
            let ty = TypeRef::parse(text).unwrap();
            assert_eq!(ty.to_string(), text);
        }
        let ty = TypeRef::parse("[Product!]!").unwrap();
        assert_eq!(ty.named(), "Product");
        assert!(ty.is_list() && ty.is_non_null());
    }

    #[test]
    fn rejects_malformed_types_with_a_reason() {
        for text in ["", "[ID", "ID!!", "1D", "ID extra", "[]"] {
            assert!(TypeRef::parse(text).is_err(), "{text:?} should not parse");
        }
        let deep = format!("{}ID{}", "[".repeat(40), "]".repeat(40));
        assert!(TypeRef::parse(&deep).is_err());
    }
}

/// Whether `text` is an RFC 3339 date-time (`2026-11-30T12:45:00Z`,
/// `2026-11-30T12:45:00.123+01:00`): the form the `DateTime` scalar accepts and gives.
pub fn is_rfc3339(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |from: usize, n: usize| -> Option<u32> {
        let part = b.get(from..from + n)?;
        part.iter().try_fold(0u32, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let (Some(year), Some(month), Some(day)) = (digits(0, 4), digits(5, 2), digits(8, 2)) else {
        return false;
    };
    if b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !matches!(b.get(10), Some(b'T' | b't' | b' '))
    {
        return false;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days {
        return false;
    }
    let (Some(hour), Some(minute), Some(second)) = (digits(11, 2), digits(14, 2), digits(17, 2))
    else {
        return false;
    };
    if b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
        || hour > 23
        || minute > 59
        || second > 60
    {
        return false;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match b.get(i) {
        Some(b'Z' | b'z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            let (Some(oh), Some(om)) = (digits(i + 1, 2), digits(i + 4, 2)) else {
                return false;
            };
            b.get(i + 3) == Some(&b':') && oh <= 23 && om <= 59 && i + 6 == b.len()
        }
        _ => false,
    }
}

#[cfg(test)]
mod rfc3339_tests {
    use super::is_rfc3339;

    #[test]
    fn date_times_are_checked_by_rfc_3339() {
        for ok in [
            "2026-11-30T12:45:00Z",
            "2026-11-30T12:45:00.123456+01:00",
            "2024-02-29T00:00:00-08:00",
            "1990-12-31t23:59:60z",
        ] {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for bad in [
            "",
            "2026-11-30",
            "2026-11-30T12:45:00",
            "2026-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-11-30T24:00:00Z",
            "2026-11-30T12:45:00.Z",
            "2026-11-30T12:45:00+0100",
            "2026-11-30T12:45:00Z ",
            "yesterday",
            "2026-1１-30T12:45:00Z",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }
}
