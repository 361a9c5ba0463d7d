//! `devk switch`: change the current context (or, with --shell, this shell's context only).

use std::time::Duration;

use clap_complete::ArgValueCompleter;

use super::output::{note, out};
use super::{Failure, Globals, complete, confirm, ns, picker};
use crate::contexts::classify_context;
use crate::exit::Exit;
use crate::fuzzy::{Resolution, resolve};
use crate::kubeconfig::{Kubeconfig, KubeconfigError, update_loaded};
use crate::policy::ContextClass;
use crate::shellenv;
use crate::state::{State, state_dir};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Context name: exact, or a unique case-insensitive fuzzy match; `-` for the previous one.
    /// Without it, on a terminal, a fuzzy picker opens.
    #[arg(add = ArgValueCompleter::new(complete::contexts), allow_hyphen_values = true)]
    pub name: Option<String>,

    /// Also set the namespace of that context (exact, or a unique fuzzy match).
    #[arg(short, long, add = ArgValueCompleter::new(complete::namespaces))]
    pub namespace: Option<String>,

    /// Confirm switching to a protected context without a prompt (for scripts).
    #[arg(short, long)]
    pub yes: bool,

    /// Switch this shell only: print `export KUBECONFIG=...` for `eval "$(devk switch --shell NAME)"`.
    #[arg(long)]
    pub shell: bool,

    /// With --namespace: set it even if the cluster says it does not exist.
    #[arg(long)]
    pub force: bool,
}

/// Turns what the user typed into a context name, or a failure listing the candidates.
pub fn resolve_context(query: &str, kc: &Kubeconfig, state: &State) -> Result<String, Failure> {
    let names = kc.context_names();
    if query == "-" {
        let Some(prev) = state.previous_context.clone() else {
            return Err(Failure::new(
                Exit::NotFound,
                "no previous context recorded yet; switch once with `devk switch NAME`",
            ));
        };
        if !names.contains(&prev) {
            return Err(Failure::new(
                Exit::NotFound,
                format!(
                    "the previous context `{prev}` no longer exists in {}",
                    kc.sources().describe()
                ),
            ));
        }
        return Ok(prev);
    }
    match resolve(query, &names) {
        Resolution::Found(n) => Ok(n),
        Resolution::Ambiguous(c) => Err(Failure::new(
            Exit::NotFound,
            format!(
                "`{query}` matches {} contexts; type more of the name:\n  {}",
                c.len(),
                c.join("\n  ")
            ),
        )),
        Resolution::NotFound(close) => {
            let hint = if close.is_empty() {
                "; `devk contexts` lists them".to_string()
            } else {
                format!("; did you mean {}?", quote_list(&close))
            };
            Err(Failure::new(
                Exit::NotFound,
                format!(
                    "no context matches `{query}` in {}{hint}",
                    kc.sources().describe()
                ),
            ))
        }
    }
}

/// `devk switch` without a name: the picker on a terminal; otherwise the list of contexts and
/// a usage error, since a script must say which context it wants.
fn pick_context(kc: &Kubeconfig, rules: &crate::policy::ClassRules) -> Result<String, Failure> {
    let names = kc.context_names();
    if !confirm::interactive() {
        let list = if names.is_empty() {
            format!("there are no contexts in {}", kc.sources().describe())
        } else {
            format!("the contexts are:\n  {}", names.join("\n  "))
        };
        return Err(Failure::new(
            Exit::Usage,
            format!(
                "`devk switch` needs a context name when there is no terminal for the picker; {list}"
            ),
        ));
    }
    if names.is_empty() {
        return Err(Failure::new(
            Exit::NotFound,
            format!(
                "there are no contexts in {}; add one with `devk context add`",
                kc.sources().describe()
            ),
        ));
    }
    let current = kc.current_context();
    let labels =
        crate::contexts::display::unique_labels(kc.contexts().iter().map(|c| c.name.as_str()));
    let items: Vec<picker::Item> = kc
        .contexts()
        .iter()
        .zip(labels)
        .map(|(ctx, label)| {
            let mut notes = Vec::new();
            if current == Some(ctx.name.as_str()) {
                notes.push("current");
            }
            if classify_context(kc, rules, ctx).class == ContextClass::Protected {
                notes.push("protected");
            }
            picker::Item::context(&ctx.name, label, notes.join(", "))
        })
        .collect();
    match picker::pick(&items, current) {
        Ok(Some(name)) => Ok(name),
        Ok(None) => Err(Failure::new(
            Exit::Failure,
            "no context picked; nothing changed",
        )),
        Err(e) => Err(Failure::new(
            Exit::Io,
            format!("cannot run the context picker on this terminal: {e}"),
        )),
    }
}

fn quote_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" or ")
}

pub fn exec(args: Args, g: &Globals) -> Result<(), Failure> {
    let loaded = g.config()?;
    let cfg = &loaded.config;
    let rules = super::contexts_cmd::class_rules_from(cfg);
    let sources = g.sources();
    let kc = Kubeconfig::load_light(sources.clone(), false)?;
    let state_dir = state_dir();
    let mut state = state_dir.as_deref().map(State::load).unwrap_or_default();
    let target = match &args.name {
        Some(query) => resolve_context(query, &kc, &state)?,
        None => pick_context(&kc, &rules)?,
    };
    let current = kc.current_context().map(str::to_string);

    if !args.shell && current.as_deref() == Some(target.as_str()) && args.namespace.is_none() {
        note(&format!("Already on context \"{target}\"."));
        return Ok(());
    }
    let Some(ctx) = kc.context(&target) else {
        return Err(Failure::new(
            Exit::NotFound,
            format!("no context `{target}`"),
        ));
    };
    // kubectl switches to such a context too, then prompts for a password or dials
    // localhost:8080 on the next command; devk says now what is wrong.
    if let Err(e @ KubeconfigError::MissingEntry { .. }) = kc.client_document(&target) {
        note(&format!("devk: warning: {e}"));
    }
    let class = classify_context(&kc, &rules, &ctx);
    if class.class == ContextClass::Protected {
        confirm::typed_name(&target, "switch to", &class.reason, args.yes)?;
    }
    let namespace = match &args.namespace {
        Some(query) => {
            let timeout = Duration::from_millis(cfg.namespace.check_timeout_ms);
            Some(ns::resolve_namespace(
                &sources, &target, query, timeout, args.force,
            )?)
        }
        None => None,
    };

    if args.shell {
        return switch_shell(
            &kc,
            &target,
            namespace.as_deref(),
            state_dir.as_deref(),
            cfg,
        );
    }

    let lock_timeout = super::kubeconfig_lock(cfg);
    update_loaded(Some(kc), &sources, false, lock_timeout, |kc| {
        kc.use_context(&target)?;
        if let Some(namespace) = &namespace {
            kc.set_namespace(&target, Some(namespace))?;
        }
        Ok::<_, Failure>(())
    })?;
    if let (Some(dir), Some(prev)) = (&state_dir, current)
        && prev != target
    {
        state.previous_context = Some(prev);
        if let Err(e) = state.save(dir) {
            note(&format!(
                "devk: could not record the previous context in {}: {e}",
                dir.display()
            ));
        }
    }
    let ns_part = namespace
        .map(|n| format!(" with namespace \"{n}\""))
        .unwrap_or_default();
    out(&format!("Switched to context \"{target}\"{ns_part}.\n"))
}

fn switch_shell(
    kc: &Kubeconfig,
    target: &str,
    namespace: Option<&str>,
    state_dir: Option<&std::path::Path>,
    cfg: &crate::config::Config,
) -> Result<(), Failure> {
    let Some(state_dir) = state_dir else {
        return Err(Failure::new(
            Exit::Io,
            "cannot find a state directory for per-shell kubeconfigs (is HOME set?)",
        ));
    };
    let dir = shellenv::shells_dir(state_dir);
    let files = &kc.sources().files;
    let (path, rest) = match files.first() {
        Some(first) if shellenv::is_per_shell_file(&dir, first) => (first.clone(), &files[1..]),
        _ => (
            shellenv::new_file_name(&dir, shellenv::owner_pid()),
            &files[..],
        ),
    };
    let Some(yaml) = shellenv::per_shell_yaml(kc, target, namespace) else {
        return Err(Failure::new(
            Exit::NotFound,
            format!("no context `{target}`"),
        ));
    };
    crate::fsutil::atomic_write(&path, yaml.as_bytes(), crate::fsutil::PRIVATE_MODE)
        .map_err(|e| Failure::new(Exit::Io, format!("cannot write {}: {e}", path.display())))?;
    let max_age = Duration::from_secs(cfg.shell.max_age_days.saturating_mul(86_400));
    shellenv::clean_up(&dir, max_age, Some(&path));
    let mut list = vec![path];
    list.extend(rest.iter().cloned());
    let fish = std::env::var("SHELL").is_ok_and(|s| s.ends_with("/fish"));
    note(&format!(
        "This shell now uses context \"{target}\"; other terminals are unchanged."
    ));
    out(&format!("{}\n", shellenv::export_line(&list, fish)))
}
