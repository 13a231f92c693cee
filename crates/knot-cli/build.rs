//! Puts the build's git commit into `knot --version` (`KNOT_VERSION`): `0.1.0 (git 1a2b3c4d5e6f)`.
//! Outside a git checkout (a source tarball) the commit comes from `KNOT_GIT_HASH` when set,
//! else the version says `(git unknown)`.

use std::path::PathBuf;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

fn main() {
    println!("cargo:rerun-if-env-changed=KNOT_GIT_HASH");
    let hash = std::env::var("KNOT_GIT_HASH")
        .ok()
        .filter(|h| !h.trim().is_empty())
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]));
    // Rebuild when HEAD moves: HEAD itself, the branch it points at, and packed refs.
    // (In a linked worktree the branches and packed refs live in the common git folder.)
    if let Some(dir) = git(&["rev-parse", "--absolute-git-dir"]) {
        let dir = PathBuf::from(dir);
        let common = git(&["rev-parse", "--path-format=absolute", "--git-common-dir"])
            .map(PathBuf::from)
            .unwrap_or_else(|| dir.clone());
        let mut watch = vec![dir.join("HEAD"), common.join("packed-refs")];
        if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
            watch.push(common.join(branch));
        }
        for path in watch.into_iter().filter(|p| p.exists()) {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let hash = hash.unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=KNOT_VERSION={version} (git {hash})");
}
