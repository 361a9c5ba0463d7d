//! Safety settings layer one way. The built-in defaults and the user's own config file set
//! them freely (only the user may turn a protection off); the layers a repository or a shell
//! can supply (the project `devk.toml`, `DEVK_*` variables, `--set` flags) may only make them
//! stricter. A value from those layers that would loosen a setting is left out and reported
//! (`devk config check`), never applied: anyone who commits a devk.toml must not be able to
//! turn off the protected-context prompt, the push policy or the hook for everyone else.

use std::fmt;

use super::LayerKind;
use super::tree::{Entry, Node, Origin, Tree};

/// How a safety setting may change above the user's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    /// A list whose every item adds a protection: higher layers add items, never remove them.
    Protections,
    /// A list whose every item grants something: higher layers may drop items, never add.
    Allowances,
    /// A list of what is accepted, empty meaning "anything": higher layers may only narrow it.
    AcceptedSet,
    /// A number where more is stricter: higher layers may only raise it.
    AtLeast,
    /// A switch where `true` loosens: higher layers may turn it off, never on.
    OffOnly,
    /// Names a program devk runs: never from the project file (running devk in a cloned
    /// repository must not run a program of the repository's choosing); the user's shell
    /// (environment, flags) may set it.
    NotFromProject,
}

/// One safety setting: its dotted key, its rule, and what it guards (for reports).
#[derive(Debug, Clone, Copy)]
pub(crate) struct SafetyKey {
    pub key: &'static str,
    pub rule: Rule,
    pub guards: &'static str,
}

/// Every safety setting. A key not listed here layers as any other (the higher layer wins).
pub(crate) const SAFETY_KEYS: &[SafetyKey] = &[
    SafetyKey {
        key: "contexts.protected",
        rule: Rule::Protections,
        guards: "contexts devk asks before acting on",
    },
    SafetyKey {
        key: "contexts.local",
        rule: Rule::Allowances,
        guards: "contexts treated as local (they receive pull secrets minted from your AWS credentials)",
    },
    SafetyKey {
        key: "policy.ci_only_registries",
        rule: Rule::Protections,
        guards: "registries only CI may push to",
    },
    SafetyKey {
        key: "policy.ci_systems",
        rule: Rule::AcceptedSet,
        guards: "CI systems whose environment may push to ECR",
    },
    SafetyKey {
        key: "hook.custom_patterns",
        rule: Rule::Protections,
        guards: "the pre-push hook's extra rules",
    },
    SafetyKey {
        key: "hook.extra_rules",
        rule: Rule::Protections,
        guards: "the optional built-in rules of the pre-push hook (generic-secret)",
    },
    SafetyKey {
        key: "hook.max_blob_bytes",
        rule: Rule::AtLeast,
        guards: "files larger than this are not scanned by the pre-push hook",
    },
    SafetyKey {
        key: "creds.allowed_contexts",
        rule: Rule::Allowances,
        guards: "remote or protected contexts that may receive pull secrets",
    },
    SafetyKey {
        key: "creds.addon",
        rule: Rule::OffOnly,
        guards: "writing your AWS keys into the cluster for minikube's registry-creds addon",
    },
    SafetyKey {
        key: "minikube.binary",
        rule: Rule::NotFromProject,
        guards: "the program devk runs as minikube",
    },
];

/// A value from a project file, the environment or a flag that would have loosened a safety
/// setting, and was therefore not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignored {
    /// The dotted key.
    pub key: String,
    /// Where the value was said: `/repo/devk.toml:3`, `DEVK_CONTEXTS_PROTECTED`, `--set ...`.
    pub origin: String,
    /// What was left out and why, in words ("leaves out `*prod*`: it stays protected ...").
    pub what: String,
}

impl fmt::Display for Ignored {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} {}", self.origin, self.key, self.what)
    }
}

/// A protection the user's own file turned off or loosened, compared with the built-in
/// defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loosened {
    pub key: String,
    /// Where the user said it (`~/.config/devk/config.toml:2`).
    pub origin: String,
    /// What is off, in words ("`*prod*` is not protected").
    pub what: String,
}

impl fmt::Display for Loosened {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.origin, self.what, self.key)
    }
}

/// What `load` found about the safety settings: protections the user's file turned off, and
/// values from higher layers that were left out because they would have loosened one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SafetyReport {
    pub off: Vec<Loosened>,
    pub ignored: Vec<Ignored>,
}

/// Constrains one layer above the user file before it is merged: each safety key it sets is
/// replaced by the value it may have given what is in force below (`effective`), and every
/// part left out is recorded in `ignored`.
pub(crate) fn constrain(
    effective: &Tree,
    layer: &mut Tree,
    kind: LayerKind,
    ignored: &mut Vec<Ignored>,
) {
    if kind <= LayerKind::User {
        return;
    }
    for safety in SAFETY_KEYS {
        let Some(above) = take_leaf(layer, safety.key) else {
            continue;
        };
        let below = leaf(effective, safety.key);
        let origin = above.origin.to_string();
        let mut ignore = |what: String| {
            ignored.push(Ignored {
                key: safety.key.to_owned(),
                origin: origin.clone(),
                what,
            })
        };
        let Some((below_value, below_origin)) = below else {
            // Every safety key has a built-in default, so this is unreachable in practice;
            // without a value below, nothing can be compared and nothing is applied.
            ignore("a value with nothing below to compare it with".into());
            continue;
        };
        let Node::Leaf(value) = &above.node else {
            continue;
        };
        let combined = match safety.rule {
            Rule::Protections => protections(below_value, value, &mut ignore),
            Rule::Allowances => allowances(below_value, value, &mut ignore),
            Rule::AcceptedSet => accepted_set(below_value, value, &mut ignore),
            Rule::AtLeast => at_least(below_value, value, &mut ignore),
            Rule::OffOnly => off_only(value, &mut ignore),
            Rule::NotFromProject if kind == LayerKind::Project => {
                ignore(format!(
                    "= {value}: ignored (a project file cannot choose a program for devk to run; set it in your own config file, DEVK_{} or --set)",
                    safety.key.to_uppercase().replace('.', "_")
                ));
                None
            }
            Rule::NotFromProject => Some(value.clone()),
        };
        if let Some(value) = combined {
            let origin = if value == *below_value {
                below_origin.clone()
            } else if matches!(safety.rule, Rule::Protections) {
                below_origin.combine(above.origin.clone())
            } else {
                above.origin.clone()
            };
            put_leaf(layer, safety.key, Node::Leaf(value), origin);
        }
    }
}

fn strings(value: &toml::Value) -> Vec<String> {
    match value {
        toml::Value::Array(items) => items
            .iter()
            .map(|v| match v {
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn array(items: Vec<String>) -> toml::Value {
    toml::Value::Array(items.into_iter().map(toml::Value::String).collect())
}

/// Globs and names compare case-insensitively (as they match); regexes as written.
fn same(a: &str, b: &str) -> bool {
    a == b || a.eq_ignore_ascii_case(b)
}

fn quoted(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Below's items, then the new ones from above. Items above leaves out are still in force.
fn protections(
    below: &toml::Value,
    above: &toml::Value,
    ignore: &mut dyn FnMut(String),
) -> Option<toml::Value> {
    let below = strings(below);
    let above = strings(above);
    let dropped: Vec<String> = below
        .iter()
        .filter(|b| !above.iter().any(|a| same(a, b)))
        .cloned()
        .collect();
    if !dropped.is_empty() {
        ignore(format!(
            "leaves out {}: still in force (only your own config file can remove a protection; the list's other items are added)",
            quoted(&dropped)
        ));
    }
    let mut out = below;
    for item in above {
        if !out.iter().any(|o| same(o, &item)) {
            out.push(item);
        }
    }
    Some(array(out))
}

/// Above's items that are also granted below. Items only above are left out.
fn allowances(
    below: &toml::Value,
    above: &toml::Value,
    ignore: &mut dyn FnMut(String),
) -> Option<toml::Value> {
    let below = strings(below);
    let (kept, added): (Vec<String>, Vec<String>) = strings(above)
        .into_iter()
        .partition(|a| below.iter().any(|b| same(a, b)));
    if !added.is_empty() {
        ignore(format!(
            "adds {}: ignored (only your own config file can grant this)",
            quoted(&added)
        ));
    }
    Some(array(kept))
}

/// Empty means any. Above may name a subset of what below accepts.
fn accepted_set(
    below: &toml::Value,
    above: &toml::Value,
    ignore: &mut dyn FnMut(String),
) -> Option<toml::Value> {
    let below = strings(below);
    let above = strings(above);
    if below.is_empty() {
        return Some(array(above));
    }
    if above.is_empty() {
        ignore(format!(
            "accepts every CI system: ignored (your config accepts only {})",
            quoted(&below)
        ));
        return None;
    }
    let (kept, added): (Vec<String>, Vec<String>) = above
        .into_iter()
        .partition(|a| below.iter().any(|b| same(a, b)));
    if !added.is_empty() {
        ignore(format!(
            "adds {}: ignored (your config accepts only {})",
            quoted(&added),
            quoted(&below)
        ));
    }
    // Nothing in common: what below accepts stays; an empty list would mean "any".
    (!kept.is_empty()).then(|| array(kept))
}

fn at_least(
    below: &toml::Value,
    above: &toml::Value,
    ignore: &mut dyn FnMut(String),
) -> Option<toml::Value> {
    match (below.as_integer(), above.as_integer()) {
        (Some(b), Some(a)) if a < b => {
            ignore(format!(
                "lowers it from {b} to {a}: ignored (it may only be raised)"
            ));
            None
        }
        _ => Some(above.clone()),
    }
}

fn off_only(above: &toml::Value, ignore: &mut dyn FnMut(String)) -> Option<toml::Value> {
    if above.as_bool() == Some(true) {
        ignore("turns it on: ignored (only your own config file can)".into());
        return None;
    }
    Some(above.clone())
}

/// What the user's own file turned off or loosened compared with the built-in defaults.
pub(crate) fn loosened(defaults: &Tree, user: &Tree) -> Vec<Loosened> {
    let mut out = Vec::new();
    for safety in SAFETY_KEYS {
        let (Some((default, _)), Some((mine, origin))) =
            (leaf(defaults, safety.key), leaf(user, safety.key))
        else {
            continue;
        };
        let mut say = |what: String| {
            out.push(Loosened {
                key: safety.key.to_owned(),
                origin: origin.to_string(),
                what,
            })
        };
        match safety.rule {
            Rule::Protections => {
                let mine = strings(mine);
                let off: Vec<String> = strings(default)
                    .into_iter()
                    .filter(|d| !mine.iter().any(|m| same(m, d)))
                    .collect();
                if !off.is_empty() {
                    say(format!(
                        "built-in {} removed: {}",
                        quoted(&off),
                        safety.guards
                    ));
                }
            }
            Rule::Allowances => {
                let default = strings(default);
                let on: Vec<String> = strings(mine)
                    .into_iter()
                    .filter(|m| !default.iter().any(|d| same(m, d)))
                    .collect();
                if !on.is_empty() {
                    say(format!("{} added: {}", quoted(&on), safety.guards));
                }
            }
            Rule::AcceptedSet => {
                let default = strings(default);
                let mine = strings(mine);
                if !default.is_empty() && mine.is_empty() {
                    say(format!("every CI system accepted: {}", safety.guards));
                }
            }
            Rule::AtLeast => {
                if let (Some(d), Some(m)) = (default.as_integer(), mine.as_integer())
                    && m < d
                {
                    say(format!("lowered from {d} to {m}: {}", safety.guards));
                }
            }
            Rule::OffOnly => {
                if mine.as_bool() == Some(true) && default.as_bool() != Some(true) {
                    say(format!("turned on: {}", safety.guards));
                }
            }
            Rule::NotFromProject => {}
        }
    }
    out
}

/// A leaf's value and origin at a dotted key.
fn leaf<'t>(tree: &'t Tree, key: &str) -> Option<(&'t toml::Value, &'t Origin)> {
    let (table, last) = key.rsplit_once('.')?;
    let mut current = tree;
    for part in table.split('.') {
        match &current.get(part)?.node {
            Node::Table(inner) => current = inner,
            Node::Leaf(_) => return None,
        }
    }
    let entry = current.get(last)?;
    match &entry.node {
        Node::Leaf(value) => Some((value, &entry.origin)),
        Node::Table(_) => None,
    }
}

/// Removes and returns the leaf at a dotted key.
fn take_leaf(tree: &mut Tree, key: &str) -> Option<Entry> {
    let (table, last) = key.rsplit_once('.')?;
    let mut current = tree;
    for part in table.split('.') {
        match &mut current.get_mut(part)?.node {
            Node::Table(inner) => current = inner,
            Node::Leaf(_) => return None,
        }
    }
    if !matches!(current.get(last)?.node, Node::Leaf(_)) {
        return None;
    }
    current.remove(last)
}

/// Puts a leaf back at a dotted key whose tables already exist (it was just taken from there).
fn put_leaf(tree: &mut Tree, key: &str, node: Node, origin: Origin) {
    let Some((table, last)) = key.rsplit_once('.') else {
        return;
    };
    let mut current = tree;
    for part in table.split('.') {
        let Some(Entry {
            node: Node::Table(inner),
            ..
        }) = current.get_mut(part)
        else {
            return;
        };
        current = inner;
    }
    current.insert(last.to_owned(), Entry { node, origin });
}

#[cfg(test)]
#[path = "safety_tests.rs"]
mod tests;
