//! minikube adapter: profiles, status, addons, docker-env and the long operations (start,
//! stop, delete, addons enable/disable), all through the `minikube` command line.
//!
//! minikube has no stable API besides its CLI, so devk runs it and parses its `-o json`
//! output into its own types ([`Profile`], [`Status`], [`Addon`], [`DockerEnv`]). Short
//! commands are synchronous (call them from `spawn_blocking` in async code); long ones are
//! async, stream their output line by line to a callback and stop when a cancel future
//! completes. When minikube is missing every call says so ([`MinikubeError::NotInstalled`],
//! exit code 5) and nothing else in devk is affected.

mod error;
pub mod parse;
mod runner;
mod types;

use std::future::Future;

pub use error::{EXIT_PROFILE_NOT_FOUND, INSTALL_URL, MinikubeError};
pub use runner::{Captured, Minikube, command_line};
pub use types::{
    Addon, DockerEnv, OutputLine, Profile, ProfileState, StartOptions, Status, Stream,
};

/// The minikube that `config` names (`minikube.binary`).
pub fn from_config(config: &crate::config::Config) -> Minikube {
    Minikube::new(config.minikube.binary.clone())
}

/// The variables that point Docker at `profile`'s daemon (minikube's active profile when
/// `None`), for the images feature. Uses the binary from devk's config.
pub fn docker_env(profile: Option<&str>) -> Result<Vec<(String, String)>, MinikubeError> {
    let opts = crate::config::LoadOptions::from_process(Vec::new());
    let loaded = crate::config::load(&opts).map_err(|e| MinikubeError::Config(e.to_string()))?;
    Ok(from_config(&loaded.config).docker_env(profile)?.vars)
}

fn with_profile(mut args: Vec<String>, profile: Option<&str>) -> Vec<String> {
    if let Some(p) = profile {
        args.push("-p".into());
        args.push(p.into());
    }
    args
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| (*s).to_string()).collect()
}

/// The profile a "Profile \"X\" not found" message names.
fn not_found_profile(out: &Captured, asked: Option<&str>) -> String {
    let text = format!("{}\n{}", out.stdout, out.stderr);
    text.split("Profile \\\"")
        .nth(1)
        .or_else(|| text.split("Profile \"").nth(1))
        .and_then(|rest| rest.split(['"', '\\']).next())
        .map(str::to_string)
        .or_else(|| asked.map(str::to_string))
        .unwrap_or_else(|| "minikube".into())
}

impl Minikube {
    fn parse_error(&self, args: &[String], problem: String) -> MinikubeError {
        MinikubeError::Parse {
            command: command_line(args),
            version: self.version().unwrap_or_else(|| "version unknown".into()),
            problem,
        }
    }

    fn failed(&self, args: &[String], out: &Captured, profile: Option<&str>) -> MinikubeError {
        if out.code == EXIT_PROFILE_NOT_FOUND {
            return MinikubeError::ProfileNotFound {
                profile: not_found_profile(out, profile),
            };
        }
        MinikubeError::Failed {
            command: command_line(args),
            code: Some(out.code),
            lines: parse::error_lines(&out.stdout, &out.stderr),
        }
    }

    /// Runs a short command that must succeed and returns its stdout.
    fn checked(&self, args: &[String], profile: Option<&str>) -> Result<String, MinikubeError> {
        let out = self.capture(args)?;
        if out.code != 0 {
            return Err(self.failed(args, &out, profile));
        }
        Ok(out.stdout)
    }

    /// Every profile, valid ones first (`minikube profile list -o json`).
    pub fn profiles(&self) -> Result<Vec<Profile>, MinikubeError> {
        let args = strings(&["profile", "list", "-o", "json"]);
        let out = self.capture(&args)?;
        // Some versions answer "No minikube profile was found" with exit 85 instead of
        // empty lists.
        if out.code == EXIT_PROFILE_NOT_FOUND {
            return Ok(Vec::new());
        }
        if out.code != 0 {
            return Err(self.failed(&args, &out, None));
        }
        parse::profile_list(&out.stdout).map_err(|p| self.parse_error(&args, p))
    }

    /// The state of each node of `profile` (`minikube status -o json`). A stopped cluster is
    /// a result, not an error: minikube's non-zero status bits only describe what is down.
    pub fn status(&self, profile: Option<&str>) -> Result<Vec<Status>, MinikubeError> {
        let args = with_profile(strings(&["status", "-o", "json"]), profile);
        let out = self.capture(&args)?;
        // Exit codes 1-7 encode "host / cluster / kubernetes not running" as bits; the JSON
        // is still printed.
        let json = out.stdout.trim_start().starts_with(['{', '[']);
        if out.code == 0 || ((1..=7).contains(&out.code) && json) {
            return parse::status(&out.stdout).map_err(|p| self.parse_error(&args, p));
        }
        Err(self.failed(&args, &out, profile))
    }

    /// The addons of `profile` with their state (`minikube addons list -o json`).
    pub fn addons(&self, profile: Option<&str>) -> Result<Vec<Addon>, MinikubeError> {
        let args = with_profile(strings(&["addons", "list", "-o", "json"]), profile);
        let stdout = self.checked(&args, profile)?;
        parse::addons(&stdout).map_err(|p| self.parse_error(&args, p))
    }

    /// The Docker variables of `profile` (`minikube docker-env --shell none`).
    pub fn docker_env(&self, profile: Option<&str>) -> Result<DockerEnv, MinikubeError> {
        let args = with_profile(strings(&["docker-env", "--shell", "none"]), profile);
        let stdout = self.checked(&args, profile)?;
        parse::docker_env(&stdout).map_err(|p| self.parse_error(&args, p))
    }

    /// Makes `profile` minikube's active profile (`minikube profile NAME`).
    pub fn set_active_profile(&self, profile: &str) -> Result<(), MinikubeError> {
        let args = strings(&["profile", profile]);
        self.checked(&args, Some(profile)).map(|_| ())
    }

    /// The arguments of `minikube start` for `profile` with `options`.
    pub fn start_args(profile: Option<&str>, options: &StartOptions) -> Vec<String> {
        let mut args = with_profile(strings(&["start"]), profile);
        args.extend(options.args());
        args
    }

    /// The arguments of `minikube stop`.
    pub fn stop_args(profile: Option<&str>) -> Vec<String> {
        with_profile(strings(&["stop"]), profile)
    }

    /// The arguments of `minikube unpause`.
    pub fn unpause_args(profile: Option<&str>) -> Vec<String> {
        with_profile(strings(&["unpause"]), profile)
    }

    /// The arguments of `minikube delete`.
    pub fn delete_args(profile: Option<&str>) -> Vec<String> {
        with_profile(strings(&["delete"]), profile)
    }

    /// The arguments of `minikube addons enable|disable NAME`.
    pub fn addon_args(profile: Option<&str>, addon: &str, enable: bool) -> Vec<String> {
        let verb = if enable { "enable" } else { "disable" };
        with_profile(strings(&["addons", verb, addon]), profile)
    }

    /// Starts (creating if needed) `profile`, streaming minikube's output to `on_line`.
    pub async fn start(
        &self,
        profile: Option<&str>,
        options: &StartOptions,
        on_line: impl FnMut(OutputLine),
        cancel: impl Future<Output = ()>,
    ) -> Result<(), MinikubeError> {
        self.stream(&Self::start_args(profile, options), on_line, cancel)
            .await
    }

    /// Stops `profile`, streaming minikube's output.
    pub async fn stop(
        &self,
        profile: Option<&str>,
        on_line: impl FnMut(OutputLine),
        cancel: impl Future<Output = ()>,
    ) -> Result<(), MinikubeError> {
        self.stream(&Self::stop_args(profile), on_line, cancel)
            .await
    }

    /// Deletes `profile` and its cluster, streaming minikube's output.
    pub async fn delete(
        &self,
        profile: Option<&str>,
        on_line: impl FnMut(OutputLine),
        cancel: impl Future<Output = ()>,
    ) -> Result<(), MinikubeError> {
        self.stream(&Self::delete_args(profile), on_line, cancel)
            .await
    }

    /// Enables or disables an addon, streaming minikube's output.
    pub async fn set_addon(
        &self,
        profile: Option<&str>,
        addon: &str,
        enable: bool,
        on_line: impl FnMut(OutputLine),
        cancel: impl Future<Output = ()>,
    ) -> Result<(), MinikubeError> {
        self.stream(&Self::addon_args(profile, addon, enable), on_line, cancel)
            .await
    }
}

#[cfg(test)]
mod tests;
