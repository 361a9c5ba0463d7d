//! The project `devk demo` runs in: a git repository of its own in the demo's temporary
//! directory, with a `devk.toml` naming its image, a Dockerfile that builds offline (`FROM
//! scratch`), devk's pre-push hook installed, and two real pushes to a bare remote beside it,
//! one clean and one the hook stops. So the Images and Hook tabs show real state, and nothing
//! of the user's own repositories, hooks or git config is touched.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The image the demo project builds (`[images] name` of its devk.toml).
pub const DEMO_IMAGE: &str = "devk-demo/app";

/// The branch whose push the hook stops.
pub const LEAK_BRANCH: &str = "add-aws-config";

/// What was set up, and what could not be (shown after the demo, never fatal).
#[derive(Debug)]
pub struct DemoProject {
    /// The work tree (the demo's current directory).
    pub dir: PathBuf,
    /// Steps that did not work, each with the reason.
    pub problems: Vec<String>,
}

const DEVK_TOML: &str = "\
# The project of `devk demo`: a temporary repository, removed when the demo ends.
[images]
# What the Images tab lists and `b` builds (Dockerfile: FROM scratch, so no pull is needed).
name = \"devk-demo/app\"
";

const DOCKERFILE: &str = "\
# Builds without a network: nothing to pull.
FROM scratch
COPY app/hello.txt /hello.txt
";

const README: &str = "\
# devk demo project

Created by `devk demo` and removed when it ends. The pre-push hook is devk's: the branch
`add-aws-config` adds an AWS access key ID, and its push was stopped (see the Hook tab).
";

/// Creates the project under `root` (the demo's temporary directory). The hook it installs
/// runs `devk_bin`. Without git there is no repository, and `problems` says so.
pub fn create(root: &Path, devk_bin: &Path) -> Result<DemoProject, String> {
    let dir = root.join("project");
    let write = |rel: &str, text: &str| {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    write(crate::config::PROJECT_FILE, DEVK_TOML)?;
    write("Dockerfile", DOCKERFILE)?;
    write(".dockerignore", ".git\n*.log\n")?;
    write("app/hello.txt", "hello from the devk demo\n")?;
    write("README.md", README)?;
    let mut problems = Vec::new();
    if let Err(e) = repository(root, &dir, devk_bin) {
        problems.push(e);
    }
    Ok(DemoProject { dir, problems })
}

/// `git init`, a first commit, the hook, and the two pushes.
fn repository(root: &Path, dir: &Path, devk_bin: &Path) -> Result<(), String> {
    // The user's global and system git config stay out of it (signing, templates, a global
    // core.hooksPath that would send the hook into the user's own hooks directory).
    let empty_config = root.join("gitconfig");
    std::fs::write(&empty_config, "")
        .map_err(|e| format!("cannot write {}: {e}", empty_config.display()))?;
    let git = Git {
        dir,
        config: &empty_config,
        devk_bin,
    };
    git.ok(&["init", "-q", "-b", "main"])?;
    // devk's own hook look-up (and the TUI's) reads the user's config: a local setting wins
    // over any global core.hooksPath, so both find the hook where it is installed.
    if Git::user_sets_hooks_path(dir) {
        let hooks = dir.join(".git").join("hooks");
        git.ok(&["config", "core.hooksPath", &hooks.to_string_lossy()])?;
    }
    git.ok(&["add", "-A"])?;
    git.ok(&["commit", "-q", "-m", "A project for the devk demo"])?;
    crate::githook::install(dir, devk_bin, false).map_err(|e| e.to_string())?;
    let origin = root.join("origin.git");
    git.ok(&["init", "-q", "--bare", &origin.to_string_lossy()])?;
    git.ok(&["remote", "add", "origin", &origin.to_string_lossy()])?;
    git.ok(&["push", "-q", "origin", "main"])?;
    // A key ID made up now (no key of any account, and none in devk's source for scanners to
    // find): the shape the hook's first rule stops.
    git.ok(&["checkout", "-q", "-b", LEAK_BRANCH])?;
    let key_id = made_up_key_id();
    std::fs::write(
        dir.join("aws.env"),
        format!("AWS_REGION=eu-west-1\nAWS_ACCESS_KEY_ID={key_id}\n"),
    )
    .map_err(|e| format!("cannot write aws.env: {e}"))?;
    git.ok(&["add", "aws.env"])?;
    git.ok(&["commit", "-q", "-m", "Add the AWS settings"])?;
    let stopped = git.run(&["push", "-q", "origin", LEAK_BRANCH])?;
    git.ok(&["checkout", "-q", "main"])?;
    if stopped.status.success() {
        return Err("the hook did not stop the push of a key ID (see `devk hook status`)".into());
    }
    Ok(())
}

/// `AKIA` and 16 characters of AWS's key ID alphabet, from fresh random bytes.
fn made_up_key_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let token = super::sandbox_cmd::random_token();
    let mut id = String::from("AKIA");
    id.extend(
        token
            .as_bytes()
            .chunks(2)
            .take(16)
            .map(|pair| {
                pair.iter()
                    .fold(0usize, |acc, b| acc * 31 + usize::from(*b))
            })
            .map(|n| char::from(ALPHABET[n % ALPHABET.len()])),
    );
    id
}

/// git in the demo project, with an empty global config and a fixed identity.
struct Git<'a> {
    dir: &'a Path,
    config: &'a Path,
    devk_bin: &'a Path,
}

impl Git<'_> {
    fn run(&self, args: &[&str]) -> Result<Output, String> {
        Command::new("git")
            .arg("-C")
            .arg(self.dir)
            .args([
                "-c",
                "user.name=devk demo",
                "-c",
                "user.email=demo@devk.invalid",
            ])
            .args(args)
            .env("GIT_CONFIG_GLOBAL", self.config)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            // The hook runs this very devk, whatever `devk` on PATH is.
            .env("DEVK_HOOK_BIN", self.devk_bin)
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => {
                    "git is not installed, so the demo project is not a repository \
                     (the Hook tab needs one)"
                        .to_owned()
                }
                _ => format!("cannot run git: {e}"),
            })
    }

    fn ok(&self, args: &[&str]) -> Result<(), String> {
        let out = self.run(args)?;
        if out.status.success() {
            return Ok(());
        }
        Err(format!(
            "`git {}` failed in the demo project: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }

    /// Whether the user's own git config (global or system) sets core.hooksPath.
    fn user_sets_hooks_path(dir: &Path) -> bool {
        Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["config", "--get", "core.hooksPath"])
            .output()
            .is_ok_and(|o| o.status.success() && !o.stdout.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_up_key_ids_have_the_shape_the_hook_stops() {
        let id = made_up_key_id();
        assert_eq!(id.len(), 20);
        assert!(id.starts_with("AKIA"));
        let rules = crate::githook::rules::Rules::new(&[]).unwrap();
        let line = format!("AWS_ACCESS_KEY_ID={id}");
        assert!(!rules.scan_line(line.as_bytes()).is_empty(), "{line}");
        assert_ne!(made_up_key_id(), id, "two demos make the same key ID");
    }

    #[test]
    fn the_demo_devk_toml_names_the_demo_image() {
        let table: toml::Table = toml::from_str(DEVK_TOML).unwrap();
        assert_eq!(table["images"]["name"].as_str(), Some(DEMO_IMAGE));
    }
}
