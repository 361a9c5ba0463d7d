//! `devk completions` and `devk man`, generated from the clap definitions.

use std::io::Write;
use std::path::PathBuf;

use clap_complete::env::{Bash, EnvCompleter, Fish, Zsh};

use super::Failure;
use super::output::out;
use crate::exit::Exit;

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to print the script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write devk.1 and one page per command into this folder (default: devk.1 to stdout).
    #[arg(long, value_hint = clap::ValueHint::DirPath)]
    pub dir: Option<PathBuf>,
}

/// Prints the registration script. It calls back into `devk` for every completion, so context
/// and namespace names are always current: `source <(devk completions bash)`.
pub fn completions(args: CompletionsArgs) -> Result<(), Failure> {
    let completer: &dyn EnvCompleter = match args.shell {
        Shell::Bash => &Bash,
        Shell::Zsh => &Zsh,
        Shell::Fish => &Fish,
    };
    let mut buf = Vec::new();
    completer
        .write_registration("COMPLETE", "devk", "devk", "devk", &mut buf)
        .map_err(|e| Failure::new(Exit::Io, e.to_string()))?;
    out(&String::from_utf8_lossy(&buf))
}

pub fn man(args: ManArgs) -> Result<(), Failure> {
    let io_err = |e: std::io::Error| Failure::new(Exit::Io, format!("cannot write man page: {e}"));
    match args.dir {
        None => {
            let mut buf = Vec::new();
            render_page(&built_command(), PageSet::One, &mut buf).map_err(io_err)?;
            out(&String::from_utf8_lossy(&buf))
        }
        Some(dir) => {
            std::fs::create_dir_all(&dir).map_err(io_err)?;
            write_pages(&built_command(), &dir).map_err(io_err)?;
            let _ = writeln!(std::io::stderr(), "man pages written to {}", dir.display());
            Ok(())
        }
    }
}

/// The command tree as the man pages show it: without clap's `help` subcommand (it has no
/// page), built so that every subcommand knows its full name (`devk-config-check`).
fn built_command() -> clap::Command {
    let mut cmd = super::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// Whether the other pages are written next to this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PageSet {
    /// Only this page (to stdout): it must not refer to pages that do not exist.
    One,
    /// Every page, into a folder: subcommands are listed as references to their pages.
    All,
}

/// One page per visible command, recursively, as `<display name>.1`.
fn write_pages(cmd: &clap::Command, dir: &std::path::Path) -> std::io::Result<()> {
    for sub in visible_subcommands(cmd) {
        write_pages(sub, dir)?;
    }
    let name = cmd.get_display_name().unwrap_or_else(|| cmd.get_name());
    let mut buf = Vec::new();
    render_page(cmd, PageSet::All, &mut buf)?;
    std::fs::write(dir.join(format!("{name}.1")), buf)
}

fn visible_subcommands(cmd: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    cmd.get_subcommands().filter(|s| !s.is_hide_set())
}

/// clap_mangen's sections, with devk's own SUBCOMMANDS (for a lone page) and EXIT STATUS.
fn render_page(cmd: &clap::Command, set: PageSet, w: &mut dyn Write) -> std::io::Result<()> {
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(w)?;
    man.render_name_section(w)?;
    man.render_synopsis_section(w)?;
    man.render_description_section(w)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(w)?;
    }
    if visible_subcommands(cmd).next().is_some() {
        match set {
            PageSet::All => man.render_subcommands_section(w)?,
            PageSet::One => render_subcommand_names(cmd, w)?,
        }
    }
    if cmd.get_after_help().is_some() || cmd.get_after_long_help().is_some() {
        man.render_extra_section(w)?;
    }
    render_exit_status(w)?;
    if cmd.get_version().is_some() || cmd.get_long_version().is_some() {
        man.render_version_section(w)?;
    }
    Ok(())
}

/// Subcommands by name and summary, without page references (their pages are not written).
fn render_subcommand_names(cmd: &clap::Command, w: &mut dyn Write) -> std::io::Result<()> {
    writeln!(w, ".SH SUBCOMMANDS")?;
    for sub in visible_subcommands(cmd) {
        writeln!(w, ".TP")?;
        writeln!(
            w,
            "\\fB{} {}\\fR",
            roff_text(cmd.get_name()),
            roff_text(sub.get_name())
        )?;
        if let Some(about) = sub.get_about() {
            writeln!(w, "{}", roff_text(&about.to_string()))?;
        }
    }
    writeln!(w, ".PP")?;
    writeln!(
        w,
        "Each subcommand has a page of its own: {} writes them all into a folder.",
        roff_text("`devk man --dir DIR`")
    )
}

/// The exit codes, from the one table in `crate::exit`.
fn render_exit_status(w: &mut dyn Write) -> std::io::Result<()> {
    writeln!(w, ".SH \"EXIT STATUS\"")?;
    for exit in Exit::ALL {
        writeln!(w, ".TP")?;
        writeln!(w, "\\fB{}\\fR", exit.code())?;
        writeln!(w, "{}", roff_text(exit.meaning()))?;
    }
    Ok(())
}

/// Text safe in a roff line: backslashes and minus signs escaped, no leading control dot.
fn roff_text(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('-', "\\-");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `name(1)` references in a page, with roff's `\-` read as `-`.
    fn references(page: &str) -> Vec<String> {
        let page = page.replace("\\-", "-");
        let mut out = Vec::new();
        for (i, _) in page.match_indices("(1)") {
            let start = page[..i]
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .map_or(0, |s| s + 1);
            out.push(page[start..i].to_owned());
        }
        out
    }

    #[test]
    fn every_page_has_exit_status_and_refers_only_to_pages_that_are_written() {
        let dir = tempfile::tempdir().unwrap();
        write_pages(&built_command(), dir.path()).unwrap();
        let mut names = Vec::new();
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let path = entry.unwrap().path();
            names.push(path.file_stem().unwrap().to_string_lossy().into_owned());
        }
        assert!(names.len() > 20, "{names:?}");
        assert!(!names.iter().any(|n| n.ends_with("-help")), "{names:?}");
        for name in &names {
            let page = std::fs::read_to_string(dir.path().join(format!("{name}.1"))).unwrap();
            assert!(page.contains(".SH \"EXIT STATUS\""), "{name}");
            assert!(
                page.contains("a file could not be read or written"),
                "{name}"
            );
            for r in references(&page) {
                assert!(
                    names.contains(&r),
                    "{name}.1 refers to {r}(1), which is not written"
                );
            }
        }
    }

    #[test]
    fn the_page_printed_alone_refers_to_no_other_page() {
        let mut buf = Vec::new();
        render_page(&built_command(), PageSet::One, &mut buf).unwrap();
        let page = String::from_utf8(buf).unwrap();
        assert_eq!(references(&page), Vec::<String>::new());
        assert!(page.contains("\\fBdevk switch\\fR"), "{page}");
        assert!(page.contains(".SH \"EXIT STATUS\""), "{page}");
        assert!(page.contains("\\fB10\\fR"), "{page}");
    }
}
