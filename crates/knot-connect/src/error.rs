//! Errors of building connectors and of importing sources.

/// Why a source could not be prepared or imported. Messages name the file, URL or JSON
/// location that is wrong.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Io(String),
    #[error("{what} is not valid: {message}")]
    Invalid { what: String, message: String },
    #[error("cannot reach {target}: {message}")]
    Network { target: String, message: String },
    #[error("{target} does not support {what}")]
    Unsupported { target: String, what: String },
    #[error("proto: {0}")]
    Proto(String),
}
