//! A `knot serve` process for tests: started on an ephemeral loopback port, pointed at the
//! demo, its address read from its first log line, its log forwarded to the test's stderr.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The gateway process; killed when dropped.
pub struct ServeProcess {
    pub child: Child,
    pub addr: String,
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[allow(dead_code)] // not every test binary uses both
pub fn spawn_serve(workspace: &Path, demo: &knot_demo::Demo) -> ServeProcess {
    spawn_serve_env(workspace, demo, &[])
}

/// [`spawn_serve`] with extra environment variables for the process.
pub fn spawn_serve_env(
    workspace: &Path,
    demo: &knot_demo::Demo,
    env: &[(&str, &std::ffi::OsStr)],
) -> ServeProcess {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_knot"));
    cmd.envs(env.iter().copied());
    cmd.arg("serve")
        .arg(workspace)
        .args(["--listen", "127.0.0.1:0"]);
    for (k, v) in demo.env_vars() {
        cmd.arg("--var").arg(format!("{k}={v}"));
    }
    let mut child = cmd
        .env("KNOT_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("knot serve starts");
    let stderr = child.stderr.take().expect("piped stderr");
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("serve prints its address")
            .expect("a log line");
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string();
        }
    };
    // The gateway's own log goes to this test's stderr (shown when the test fails).
    std::thread::spawn(move || {
        lines
            .map_while(Result::ok)
            .for_each(|l| eprintln!("[knot serve] {l}"))
    });
    ServeProcess { child, addr }
}
