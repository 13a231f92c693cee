//! Workspace files on disk: reading them with a size limit, hashing their bytes, and
//! writing them so that a crash at any instant leaves either the old file or the new one.
//!
//! The main design choice: a write never touches the target file. The new text goes into a
//! temporary file in the *same folder* (so the rename cannot cross file systems), which is
//! written, flushed to disk (`fsync`), then renamed over the target (atomic on POSIX and
//! on NTFS), and finally the folder itself is flushed so the rename survives a power cut.
//! A process killed before the rename leaves the old file and a stray temporary file
//! (`.NAME.PID.N.knot-tmp`), which a later write to the same target removes.

use crate::error::{Result, StoreError};
use crate::upgrade::MAX_FILE_BYTES;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// Suffix of temporary files; the name also carries the target, the pid and a counter.
const TMP_SUFFIX: &str = ".knot-tmp";

/// Stray temporary files older than this are removed by the next write to their target.
const STALE_TMP: Duration = Duration::from_secs(60);

/// A file's bytes with what the store records about them.
#[derive(Clone, Debug)]
pub struct FileSnapshot {
    pub bytes: Vec<u8>,
    pub hash: String,
    pub mtime_ms: Option<i64>,
}

/// SHA-256 of bytes, as lowercase hex.
pub fn hash_bytes(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        out.push(char::from_digit(u32::from(b & 0xf), 16).unwrap_or('0'));
    }
    out
}

/// Reads a file, refusing anything larger than [`MAX_FILE_BYTES`]. `Ok(None)` when the
/// file does not exist.
pub fn read_snapshot(path: &Path) -> Result<Option<FileSnapshot>> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError::io(path, e)),
    };
    if !meta.is_file() {
        return Err(StoreError::io(path, "not a regular file"));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(StoreError::FileTooLarge {
            path: path.to_path_buf(),
            size: meta.len(),
            limit: MAX_FILE_BYTES,
        });
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError::io(path, e)),
    };
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(StoreError::FileTooLarge {
            path: path.to_path_buf(),
            size: bytes.len() as u64,
            limit: MAX_FILE_BYTES,
        });
    }
    Ok(Some(FileSnapshot {
        hash: hash_bytes(&bytes),
        mtime_ms: mtime_ms(&meta),
        bytes,
    }))
}

/// The modification time of a file in Unix milliseconds, when the platform has one.
pub fn mtime_ms(meta: &std::fs::Metadata) -> Option<i64> {
    let t = meta.modified().ok()?;
    let d = t.duration_since(SystemTime::UNIX_EPOCH).ok()?;
    i64::try_from(d.as_millis()).ok()
}

/// The absolute form of a path the store records for a file that may not exist yet: the
/// folder is resolved (symlinks too), the file name kept.
pub fn absolute(path: &Path) -> Result<PathBuf> {
    if let Ok(p) = std::fs::canonicalize(path) {
        return Ok(p);
    }
    let name = path
        .file_name()
        .ok_or_else(|| StoreError::io(path, "not a file path"))?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let parent = std::fs::canonicalize(&parent).map_err(|e| StoreError::io(&parent, e))?;
    Ok(parent.join(name))
}

/// Writes `bytes` to `path` atomically and durably (see the module documentation).
/// Returns the file's new modification time.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<Option<i64>> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| StoreError::io(path, "the file name is not valid UTF-8"))?;
    let tmp = dir.join(format!(
        ".{name}.{}.{}{TMP_SUFFIX}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = write_then_rename(&tmp, path, &dir, bytes);
    if result.is_err() {
        // Best effort: the target is untouched; do not leave the half-written copy around.
        let _ = std::fs::remove_file(&tmp);
    } else {
        remove_stale_temporaries(&dir, name);
    }
    result
}

fn write_then_rename(tmp: &Path, path: &Path, dir: &Path, bytes: &[u8]) -> Result<Option<i64>> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(tmp)
        .map_err(|e| StoreError::io(tmp, format!("cannot create a temporary file: {e}")))?;
    // Keep the permissions of the file being replaced (e.g. group-writable in a team repo).
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = file.set_permissions(meta.permissions());
    }
    file.write_all(bytes).map_err(|e| StoreError::io(tmp, e))?;
    file.sync_all().map_err(|e| StoreError::io(tmp, e))?;
    drop(file);
    std::fs::rename(tmp, path).map_err(|e| StoreError::io(path, format!("cannot replace: {e}")))?;
    sync_dir(dir)?;
    Ok(std::fs::metadata(path).ok().and_then(|m| mtime_ms(&m)))
}

/// Flushes a folder's entries so a rename in it is durable (a no-op where folders cannot be
/// opened, such as Windows, whose rename is already journaled).
fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        let d = std::fs::File::open(dir).map_err(|e| StoreError::io(dir, e))?;
        d.sync_all().map_err(|e| StoreError::io(dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Removes temporary files of `name` left by killed writers, once they are old enough that
/// no live writer can still be using them.
fn remove_stale_temporaries(dir: &Path, name: &str) {
    let prefix = format!(".{name}.");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten().take(10_000) {
        let file_name = entry.file_name();
        let Some(n) = file_name.to_str() else {
            continue;
        };
        if !(n.starts_with(&prefix) && n.ends_with(TMP_SUFFIX)) {
            continue;
        }
        let old = entry
            .metadata()
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_TMP);
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replace_the_file_and_leave_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.knot.json");
        write_atomic(&path, b"one\n").unwrap();
        write_atomic(&path, b"two\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two\n");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn temporaries_left_by_killed_writers_are_removed_once_old() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.knot.json");
        let old = dir.path().join(".w.knot.json.999.0.knot-tmp");
        let fresh = dir.path().join(".w.knot.json.999.1.knot-tmp");
        let other = dir.path().join(".other.json.999.0.knot-tmp");
        for p in [&old, &fresh, &other] {
            std::fs::write(p, b"half").unwrap();
        }
        let past = SystemTime::now() - Duration::from_secs(3600);
        for p in [&old, &other] {
            let f = std::fs::File::options().write(true).open(p).unwrap();
            f.set_modified(past).unwrap();
        }
        write_atomic(&path, b"new\n").unwrap();
        assert!(!old.exists(), "an old temporary of this file is removed");
        assert!(fresh.exists(), "a recent one may belong to a live writer");
        assert!(other.exists(), "another file's temporaries are not touched");
    }

    #[test]
    fn a_missing_folder_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope/w.knot.json");
        let err = write_atomic(&path, b"x").unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");
    }

    #[test]
    fn hashes_are_hex_sha256() {
        assert_eq!(
            hash_bytes(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
