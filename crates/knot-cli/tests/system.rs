//! What the package and the systemd unit rely on: `knot --version` names the git commit,
//! the completion scripts and man pages generated from the clap definitions work, and
//! `knot serve` tells systemd (sd_notify) when it is ready and when it is stopping.

mod common;

use knot_demo::{Demo, DemoConfig, DemoPorts};
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn knot(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_knot"))
        .args(args)
        .output()
        .expect("knot runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn version_names_the_git_commit() {
    let (ok, out) = knot(&["--version"]);
    assert!(ok);
    assert!(
        out.starts_with(&format!("knot {} (git ", env!("CARGO_PKG_VERSION"))),
        "{out}"
    );
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(root())
        .output();
    match head {
        Ok(h) if h.status.success() => {
            let hash = String::from_utf8_lossy(&h.stdout).trim().to_string();
            assert!(
                out.contains(&format!("(git {hash})")),
                "{out} vs HEAD {hash}"
            );
        }
        // Outside a git checkout the version says so instead.
        _ => assert!(out.contains("(git "), "{out}"),
    }
}

#[test]
fn bash_completion_completes_commands_and_options() {
    let (ok, script) = knot(&["completions", "bash"]);
    assert!(ok);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("knot.bash");
    std::fs::write(&file, script).unwrap();
    // Load the script the way bash-completion does, then ask it as bash would on Tab.
    let probe = format!(
        r#"source '{}' || exit 9
complete -p knot || exit 8
COMP_WORDS=(knot se); COMP_CWORD=1; _knot knot se knot; echo "words: ${{COMPREPLY[*]}}"
COMP_WORDS=(knot serve --li); COMP_CWORD=2; _knot knot --li serve; echo "opts: ${{COMPREPLY[*]}}""#,
        file.display()
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &probe])
        .output()
        .expect("bash runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("-F _knot knot"), "{text}");
    let words = text.lines().find(|l| l.starts_with("words:")).unwrap_or("");
    assert!(
        words.contains("serve") && words.contains("secret"),
        "{text}"
    );
    assert!(!words.contains("check"), "{text}");
    let opts = text.lines().find(|l| l.starts_with("opts:")).unwrap_or("");
    assert!(opts.contains("--listen"), "{text}");
}

#[test]
fn zsh_and_fish_completions_are_generated() {
    let (ok, zsh) = knot(&["completions", "zsh"]);
    assert!(
        ok && zsh.starts_with("#compdef knot") && zsh.contains("serve"),
        "{zsh}"
    );
    let (ok, fish) = knot(&["completions", "fish"]);
    assert!(
        ok && fish.contains("complete -c knot") && fish.contains("serve"),
        "{fish}"
    );
    let (ok, _) = knot(&["completions", "tcsh"]);
    assert!(!ok, "an unknown shell is refused");
}

#[test]
fn man_pages_render_and_document_serve() {
    let (ok, page) = knot(&["man"]);
    assert!(ok);
    assert!(page.contains(".TH knot 1"), "{page}");
    assert!(page.contains("knot\\-serve(1)"), "{page}");
    let dir = tempfile::tempdir().unwrap();
    let (ok, listed) = knot(&["man", "--out-dir", &dir.path().display().to_string()]);
    assert!(ok);
    let serve = dir.path().join("knot-serve.1");
    assert!(listed.contains(&serve.display().to_string()), "{listed}");
    let text = std::fs::read_to_string(&serve).unwrap();
    assert!(text.contains(".TH knot-serve 1"), "{text}");
    assert!(text.contains(env!("CARGO_PKG_VERSION")), "{text}");
    assert!(text.contains("KNOT_LISTEN"), "{text}");
    assert!(dir.path().join("knot-workspace-import.1").exists());
    // Rendered by groff when the machine has it (man-db's renderer).
    if let Ok(out) = Command::new("groff")
        .args(["-man", "-Tutf8"])
        .arg(&serve)
        .output()
    {
        let shown = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && shown.contains("--listen"),
            "{shown}"
        );
    }
}

#[test]
fn serve_notifies_systemd_when_ready_and_when_stopping() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let demo = rt
        .block_on(Demo::start(DemoConfig {
            ports: DemoPorts::ephemeral(),
            ..Default::default()
        }))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let socket_path = dir.path().join("notify");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut gateway = common::spawn_serve_env(
        &root().join("examples/shop.knot.json"),
        &demo,
        &[("NOTIFY_SOCKET", socket_path.as_os_str())],
    );
    let mut buf = [0u8; 512];
    let n = socket.recv(&mut buf).expect("READY=1 within 20 s");
    let ready = String::from_utf8_lossy(&buf[..n]).into_owned();
    assert!(ready.contains("READY=1\n"), "{ready}");
    assert!(
        ready.contains(&format!("MAINPID={}\n", gateway.child.id())),
        "{ready}"
    );
    // Ready means ready: /ready answers 200 at once.
    let status = rt.block_on(async {
        reqwest::get(format!("http://{}/ready", gateway.addr))
            .await
            .map(|r| r.status().as_u16())
    });
    assert_eq!(status.ok(), Some(200));
    let killed = Command::new("kill")
        .args(["-TERM", &gateway.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let n = socket.recv(&mut buf).expect("STOPPING=1 after SIGTERM");
    assert_eq!(String::from_utf8_lossy(&buf[..n]), "STOPPING=1\n");
    let exit = gateway.child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    rt.block_on(demo.shutdown());
}
