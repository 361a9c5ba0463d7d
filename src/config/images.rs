//! `[images]`: `devk build` (and the project image name that `devk images`/`devk push` use).

use serde::Deserialize;

use super::error::ConfigError;

/// `[images]` as written; [`check`] validates what types cannot.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ImagesConfig {
    /// The project's image repository name (`app`, `team/app`); empty = not set.
    pub name: String,
    /// The build context directory (relative to the current directory).
    pub context: String,
    /// The Dockerfile, relative to the context ("" = `Dockerfile` in the context).
    pub dockerfile: String,
    /// Also tag the image with the (sanitised) branch name.
    pub branch_tag: bool,
    /// Default `--build-arg`s, `KEY=VALUE`.
    pub build_args: Vec<String>,
    /// Default `--platform` ("" = the engine's).
    pub platform: String,
    /// Build into minikube's daemon: "auto", "always" or "never".
    pub minikube: String,
    /// The minikube profile for "always"/"auto" ("" = minikube's active profile).
    pub minikube_profile: String,
    /// A registry for local pushes, `host:port` ("" = none).
    pub local_registry: String,
}

/// How `devk build` decides whether to build into minikube's Docker daemon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MinikubeMode {
    /// When the current kube context is local and names a minikube profile.
    Auto,
    Always,
    Never,
}

impl ImagesConfig {
    /// `minikube` as a mode (checked by [`check`]).
    pub fn minikube_mode(&self) -> Result<MinikubeMode, String> {
        parse_minikube_mode(&self.minikube)
    }

    /// `build_args` split into pairs (checked by [`check`]).
    pub fn build_arg_pairs(&self) -> Result<Vec<(String, String)>, String> {
        self.build_args.iter().map(|a| parse_build_arg(a)).collect()
    }
}

/// `auto` / `always` / `never`.
pub fn parse_minikube_mode(s: &str) -> Result<MinikubeMode, String> {
    match s {
        "auto" => Ok(MinikubeMode::Auto),
        "always" => Ok(MinikubeMode::Always),
        "never" => Ok(MinikubeMode::Never),
        other => Err(format!(
            "must be \"auto\", \"always\" or \"never\", found \"{other}\""
        )),
    }
}

/// `KEY=VALUE` (the value may be empty or contain `=`). `KEY` must be a non-empty name
/// without spaces, as Dockerfile `ARG` names are.
pub fn parse_build_arg(s: &str) -> Result<(String, String), String> {
    let Some((k, v)) = s.split_once('=') else {
        return Err(format!("`{s}` is not KEY=VALUE"));
    };
    if k.is_empty() || k.chars().any(|c| c.is_whitespace() || c == '=') {
        return Err(format!("`{s}`: `{k}` is not a valid build argument name"));
    }
    Ok((k.to_string(), v.to_string()))
}

/// True for a Docker repository name (`app`, `team/app`, `host:5000/team/app`).
pub fn valid_repository(name: &str) -> bool {
    // Docker reference path components: lowercase alnum separated by `.`, `_`, `__`, `-`,
    // joined by `/`; an optional registry host[:port] in front.
    let path = match name.split_once('/') {
        Some((host, rest)) if host.contains(['.', ':']) || host == "localhost" => rest,
        _ => name,
    };
    !path.is_empty()
        && path.split('/').all(|c| {
            !c.is_empty()
                && c.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
                })
                && c.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
                && c.bytes().last().is_some_and(|b| b.is_ascii_alphanumeric())
        })
}

/// Problems in `[images]`, each naming its key and origin.
pub(crate) fn check(c: &ImagesConfig, origin: &dyn Fn(&str) -> String) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    let mut bad = |key: &str, problem: String| {
        errors.push(ConfigError::Invalid {
            origin: origin(key),
            key: key.to_owned(),
            problem,
        });
    };
    if !c.name.is_empty() && !valid_repository(&c.name) {
        bad(
            "images.name",
            format!(
                "\"{}\" is not a valid image name: use lowercase letters, digits, `.`, `_`, `-` and `/`, e.g. \"team/app\"",
                c.name
            ),
        );
    }
    if c.context.trim().is_empty() {
        bad(
            "images.context",
            "is empty; write \".\" for the current directory".into(),
        );
    }
    for (i, arg) in c.build_args.iter().enumerate() {
        if let Err(problem) = parse_build_arg(arg) {
            bad("images.build_args", format!("item {}: {problem}", i + 1));
        }
    }
    if let Err(problem) = parse_minikube_mode(&c.minikube) {
        bad("images.minikube", problem);
    }
    if !c.local_registry.is_empty() && c.local_registry.contains(['/', ' ']) {
        bad(
            "images.local_registry",
            format!(
                "\"{}\" must be host:port, e.g. \"127.0.0.1:5000\"",
                c.local_registry
            ),
        );
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> ImagesConfig {
        crate::config::Config::default().images
    }

    #[test]
    fn defaults_pass_the_checks() {
        let c = base();
        assert!(check(&c, &|k| k.to_string()).is_empty());
        assert_eq!(c.minikube_mode(), Ok(MinikubeMode::Auto));
        assert!(!c.branch_tag);
    }

    #[test]
    fn bad_values_name_their_key() {
        let c = ImagesConfig {
            name: "My App".into(),
            build_args: vec!["OK=1".into(), "novalue".into()],
            minikube: "sometimes".into(),
            ..base()
        };
        let errs: Vec<String> = check(&c, &|k| format!("devk.toml ({k})"))
            .iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(errs[0].contains("images.name"), "{errs:?}");
        assert!(errs[1].contains("item 2"), "{errs:?}");
        assert!(errs[2].contains("sometimes"), "{errs:?}");
    }

    #[test]
    fn build_args_split_at_the_first_equals() {
        assert_eq!(parse_build_arg("A=b=c"), Ok(("A".into(), "b=c".into())));
        assert_eq!(
            parse_build_arg("EMPTY="),
            Ok(("EMPTY".into(), String::new()))
        );
        assert!(parse_build_arg("=x").is_err());
    }

    #[test]
    fn repository_names_follow_docker_rules() {
        for ok in [
            "app",
            "team/app",
            "127.0.0.1:5000/app",
            "registry.example.com/a/b-c_d.e",
        ] {
            assert!(valid_repository(ok), "{ok}");
        }
        for bad in ["App", "app/", "-app", "a//b", ""] {
            assert!(!valid_repository(bad), "{bad}");
        }
    }
}
