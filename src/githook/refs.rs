//! What a push sends: git's pre-push lines on stdin, and which commits they make new on the
//! remote.

use git2::{Oid, Repository};

use super::HookError;

/// One line of pre-push input: `<local ref> <local sha> <remote ref> <remote sha>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushLine {
    pub local_ref: String,
    pub local_oid: Oid,
    pub remote_ref: String,
    pub remote_oid: Oid,
}

/// What a pushed ref does to the remote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PushKind {
    /// The remote ref is deleted: nothing leaves the machine.
    Delete,
    /// The remote ref does not exist yet.
    New,
    /// The remote ref moves from one commit to another.
    Update,
}

impl PushLine {
    pub fn kind(&self) -> PushKind {
        if self.local_oid.is_zero() {
            PushKind::Delete
        } else if self.remote_oid.is_zero() {
            PushKind::New
        } else {
            PushKind::Update
        }
    }
}

/// Parses git's pre-push input. Blank lines are skipped; anything else that is not four
/// fields with two object ids is an error (the hook then fails closed).
pub fn parse_push_lines(input: &str) -> Result<Vec<PushLine>, HookError> {
    let mut lines = Vec::new();
    for (n, raw) in input.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let bad = |why: &str| HookError::BadInput {
            line: n + 1,
            problem: why.to_owned(),
        };
        let fields: Vec<&str> = line.split(' ').collect();
        let [local_ref, local_sha, remote_ref, remote_sha] = fields[..] else {
            return Err(bad(
                "expected `<local ref> <local sha> <remote ref> <remote sha>`",
            ));
        };
        let oid = |sha: &str| {
            if sha.len() != 40 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(bad(&format!(
                    "`{sha}` is not a 40-digit object id (SHA-256 repositories are not supported)"
                )));
            }
            Oid::from_str(sha).map_err(|_| bad(&format!("`{sha}` is not an object id")))
        };
        lines.push(PushLine {
            local_ref: local_ref.to_owned(),
            local_oid: oid(local_sha)?,
            remote_ref: remote_ref.to_owned(),
            remote_oid: oid(remote_sha)?,
        });
    }
    Ok(lines)
}

/// Which commits to scan: everything reachable from `tips` and from none of `hides`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub tips: Vec<Oid>,
    pub hides: Vec<Oid>,
    /// Pushed refs whose object is not a commit (a tag of a tree or blob): not scanned.
    pub unscannable: Vec<String>,
}

/// Works out the commits a push makes new on the remote.
///
/// A deleted ref needs nothing. Every commit reachable from a remote sha that is known here is
/// already on the remote (that covers `remote_sha..local_sha` for an update), and so is every
/// commit reachable from a remote-tracking ref of `remote` (so a new branch scans only the
/// commits that are not on the remote yet, not its whole history). `remote` is git's `$1`: the
/// remote's name, or its URL when pushing to a URL; a URL also matches a remote configured
/// with it. With no such remote, a new branch is scanned down to its root.
pub fn plan(
    repo: &Repository,
    remote: &str,
    url: &str,
    lines: &[PushLine],
) -> Result<Plan, HookError> {
    let mut plan = Plan::default();
    for line in lines {
        if line.kind() == PushKind::Delete {
            continue;
        }
        match repo
            .find_object(line.local_oid, None)
            .and_then(|o| o.peel_to_commit())
        {
            Ok(commit) => push_unique(&mut plan.tips, commit.id()),
            Err(_) => plan.unscannable.push(line.local_ref.clone()),
        }
        if !line.remote_oid.is_zero()
            && let Ok(commit) = repo
                .find_object(line.remote_oid, None)
                .and_then(|o| o.peel_to_commit())
        {
            push_unique(&mut plan.hides, commit.id());
        }
    }
    if plan.tips.is_empty() {
        return Ok(plan);
    }
    for name in remote_names(repo, remote, url) {
        let prefix = format!("refs/remotes/{name}/");
        for reference in repo.references()?.flatten() {
            let is_tracking = reference.name_bytes().starts_with(prefix.as_bytes());
            if is_tracking && let Ok(commit) = reference.peel_to_commit() {
                push_unique(&mut plan.hides, commit.id());
            }
        }
    }
    Ok(plan)
}

/// The configured remotes that `remote` (a name or a URL) and `url` stand for.
fn remote_names(repo: &Repository, remote: &str, url: &str) -> Vec<String> {
    let Ok(names) = repo.remotes() else {
        return Vec::new();
    };
    let names: Vec<String> = names
        .iter()
        .flatten()
        .flatten()
        .map(str::to_owned)
        .collect();
    if names.iter().any(|n| n == remote) {
        return vec![remote.to_owned()];
    }
    names
        .into_iter()
        .filter(|name| {
            repo.find_remote(name).is_ok_and(|r| {
                r.url()
                    .is_ok_and(|u| u == remote || (!url.is_empty() && u == url))
            })
        })
        .collect()
}

fn push_unique(list: &mut Vec<Oid>, oid: Oid) {
    if !list.contains(&oid) {
        list.push(oid);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";
    const Z: &str = "0000000000000000000000000000000000000000";

    #[test]
    fn parses_update_new_and_delete() {
        let input = format!(
            "refs/heads/main {A} refs/heads/main {B}\n\
             refs/heads/topic {A} refs/heads/topic {Z}\n\
             \n\
             (delete) {Z} refs/heads/old {B}\n"
        );
        let lines = parse_push_lines(&input).unwrap();
        let kinds: Vec<PushKind> = lines.iter().map(PushLine::kind).collect();
        assert_eq!(kinds, [PushKind::Update, PushKind::New, PushKind::Delete]);
        assert_eq!(lines[0].remote_ref, "refs/heads/main");
        assert_eq!(lines[0].remote_oid.to_string(), B);
    }

    #[test]
    fn empty_input_is_no_lines() {
        assert!(parse_push_lines("").unwrap().is_empty());
    }

    #[test]
    fn malformed_line_is_an_error_with_its_number() {
        let err = parse_push_lines(&format!(
            "refs/heads/a {A} refs/heads/a {B}\nrefs/heads/b {A}\n"
        ))
        .unwrap_err()
        .to_string();
        assert!(err.contains("line 2"), "{err}");
        let err = parse_push_lines(&format!("a {A} b {}", "xyz"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("`xyz` is not a 40-digit object id"), "{err}");
    }
}
