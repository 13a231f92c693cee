//! `knot man`: man pages rendered from the clap definitions, so they never drift from
//! `knot --help`. knot(1) lists every command; knot-serve(1) and the others document one.

use anyhow::{Context, Result};
use std::path::Path;
use std::process::ExitCode;

/// Writes knot(1) to stdout, or with `out_dir` knot.1 and one page per command
/// (knot-serve.1, knot-workspace-import.1, …) into that folder, printing their paths.
pub fn run(cli: clap::Command, out_dir: Option<&Path>) -> Result<ExitCode> {
    let mut cli = cli.disable_help_subcommand(true);
    // Gives every subcommand its page name (knot-serve) and usage name (knot serve).
    cli.build();
    match out_dir {
        None => {
            let mut page = Vec::new();
            man(&cli).render(&mut page)?;
            super::write_stdout(&page)
        }
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            write_pages(&cli, dir)
                .with_context(|| format!("cannot write the man pages into {}", dir.display()))?;
            let mut pages: Vec<String> = std::fs::read_dir(dir)
                .with_context(|| format!("cannot list {}", dir.display()))?
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("knot") && n.ends_with(".1"))
                .collect();
            pages.sort();
            for name in pages {
                println!("{}", dir.join(name).display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// One page, its footer naming Knot's version (subcommands have none of their own).
fn man(cmd: &clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(cmd.clone())
        .source(format!("knot {}", env!("KNOT_VERSION")))
        .manual("Knot Manual")
}

fn write_pages(cmd: &clap::Command, dir: &Path) -> std::io::Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub, dir)?;
    }
    man(cmd).generate_to(dir).map(|_| ())
}
