//! The real devk binary on kubeconfigs in temp dirs: contexts, switch, ns, current, context
//! add/rename/delete, config errors, exit codes.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::{Run, devk, kubeconfig, run};

/// A refused-connection server: namespace checks fail fast with "could not check".
const DEAD: &str = "https://127.0.0.1:9";

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn path(&self) -> &Path {
        self.dir.path()
    }
    fn kube(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path().join(name);
        fs::write(&p, text).unwrap();
        p
    }
    fn devk(&self, kubeconfig: &str, args: &[&str]) -> Run {
        let mut cmd = devk(self.path());
        cmd.env("KUBECONFIG", kubeconfig).args(args);
        run(&mut cmd)
    }
    fn read(&self, name: &str) -> String {
        fs::read_to_string(self.path().join(name)).unwrap()
    }
}

fn standard(home: &Home) -> String {
    let text = kubeconfig(
        Some("minikube"),
        &[
            ("minikube", "minikube", "https://192.168.49.2:8443", None),
            (
                "kind-dev",
                "kind-dev",
                "https://127.0.0.1:40001",
                Some("team"),
            ),
            ("eks-staging", "staging", DEAD, None),
            (
                "eks-prod-eu",
                "prod-eu",
                "https://prod-eu.example.com",
                None,
            ),
            (
                "eks-prod-us",
                "prod-us",
                "https://prod-us.example.com",
                None,
            ),
            ("gke-test", "gke-test", "https://gke-test.example.com", None),
        ],
    );
    home.kube("config", &text).display().to_string()
}

#[test]
fn contexts_lists_every_context_with_its_class() {
    let home = Home::new();
    let kc = standard(&home);
    let r = home.devk(&kc, &["contexts"]);
    assert_eq!(r.code, 0, "{r:?}");
    let line = |name: &str| {
        r.stdout
            .lines()
            .find(|l| l.contains(name))
            .unwrap()
            .to_string()
    };
    assert!(
        line("minikube").starts_with('*') && line("minikube").contains("local"),
        "{r:?}"
    );
    assert!(line("kind-dev").contains("local") && line("kind-dev").contains("team"));
    assert!(
        line("eks-staging").contains("local"),
        "its server is on loopback"
    );
    assert!(line("gke-test").contains("remote"));
    assert!(line("eks-prod-eu").contains("protected"));
    let json: serde_json::Value =
        serde_json::from_str(&home.devk(&kc, &["contexts", "-o", "json"]).stdout).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 6);
    assert_eq!(json[0]["name"], "eks-prod-eu");
    assert_eq!(json[0]["class"], "protected");
    assert!(
        !json.to_string().contains("not-a-real-token"),
        "secrets must never be printed"
    );
    let names = home.devk(&kc, &["contexts", "-o", "name"]).stdout;
    assert_eq!(
        names,
        "eks-prod-eu\neks-prod-us\neks-staging\ngke-test\nkind-dev\nminikube\n"
    );
}

#[test]
fn switch_by_exact_and_unique_fuzzy_name() {
    let home = Home::new();
    let kc = standard(&home);
    let r = home.devk(&kc, &["switch", "kind-dev"]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "Switched to context \"kind-dev\".\n"),
        "{r:?}"
    );
    let r = home.devk(&kc, &["switch", "STAG"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(home.devk(&kc, &["current"]).stdout, "eks-staging:default\n");
}

#[test]
fn ambiguous_and_unknown_names_list_candidates_and_change_nothing() {
    let home = Home::new();
    let kc = standard(&home);
    let before = home.read("config");
    let r = home.devk(&kc, &["switch", "prod"]);
    assert_eq!(r.code, 5, "{r:?}");
    assert!(
        r.stderr.contains("eks-prod-eu") && r.stderr.contains("eks-prod-us"),
        "{r:?}"
    );
    let r = home.devk(&kc, &["switch", "minikub"]);
    assert_eq!(r.code, 0, "unique fuzzy prefix: {r:?}");
    let r = home.devk(&kc, &["switch", "minikbe-x"]);
    assert_eq!(r.code, 5, "{r:?}");
    assert!(r.stderr.contains("did you mean `minikube`"), "{r:?}");
    assert_eq!(home.read("config"), before);
}

#[test]
fn protected_context_without_terminal_is_refused_unless_yes() {
    let home = Home::new();
    let kc = standard(&home);
    let before = home.read("config");
    let r = home.devk(&kc, &["switch", "eks-prod-eu"]);
    assert_eq!(r.code, 6, "{r:?}");
    assert!(
        r.stderr.contains("protected") && r.stderr.contains("--yes"),
        "{r:?}"
    );
    assert!(
        r.stderr.contains("*prod*"),
        "the refusal names the rule: {r:?}"
    );
    assert_eq!(home.read("config"), before, "a refusal writes nothing");
    let r = home.devk(&kc, &["switch", "eks-prod-eu", "--yes"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        home.devk(&kc, &["current", "-o", "context"]).stdout,
        "eks-prod-eu\n"
    );
}

/// Runs devk under a pseudo-terminal (util-linux `script`) and types `input`.
fn devk_on_tty(home: &Home, kc: &str, args: &str, input: &str) -> Option<Run> {
    let script = crate::support::require_tool("script", "protected_context_on_a_terminal")?;
    let mut cmd = std::process::Command::new(script);
    crate::support::isolate(&mut cmd, home.path());
    cmd.env("KUBECONFIG", kc)
        .arg("-qec")
        .arg(format!("{} {args}", crate::support::devk_bin().display()))
        .arg("/dev/null")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Some(Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

#[test]
fn protected_context_on_a_terminal_needs_the_typed_name() {
    let home = Home::new();
    let kc = standard(&home);
    let Some(r) = devk_on_tty(&home, &kc, "switch eks-prod-us", "y\n") else {
        return;
    };
    assert_eq!(r.code, 6, "typing y is not enough: {r:?}");
    assert!(r.stdout.contains("Type its name"), "{r:?}");
    assert_eq!(
        home.devk(&kc, &["current", "-o", "context"]).stdout,
        "minikube\n"
    );
    let r = devk_on_tty(&home, &kc, "switch eks-prod-us", "eks-prod-us\n").unwrap();
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        home.devk(&kc, &["current", "-o", "context"]).stdout,
        "eks-prod-us\n"
    );
}

#[test]
fn a_protected_eks_arn_is_confirmed_by_its_cluster_name_as_in_the_tui() {
    let home = Home::new();
    let arn = "arn:aws:eks:eu-west-1:123456789012:cluster/payments-prod";
    let text = kubeconfig(
        Some("minikube"),
        &[
            ("minikube", "minikube", "https://192.168.49.2:8443", None),
            (arn, arn, "https://payments.example.com", None),
        ],
    );
    let kc = home.kube("config", &text).display().to_string();
    let args = format!("switch '{arn}'");
    let Some(r) = devk_on_tty(&home, &kc, &args, &format!("{arn}\n")) else {
        return;
    };
    assert_eq!(r.code, 6, "the whole ARN is not what is asked for: {r:?}");
    assert!(
        r.stdout
            .contains("Type `payments-prod` (its cluster's name)"),
        "the prompt says exactly what to type: {r:?}"
    );
    assert_eq!(
        home.devk(&kc, &["current", "-o", "context"]).stdout,
        "minikube\n"
    );
    let r = devk_on_tty(&home, &kc, &args, "payments-prod\n").unwrap();
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        home.devk(&kc, &["current", "-o", "context"]).stdout,
        format!("{arn}\n")
    );
}

#[test]
fn switch_dash_goes_back_and_forth() {
    let home = Home::new();
    let kc = standard(&home);
    let r = home.devk(&kc, &["switch", "-"]);
    assert_eq!(r.code, 5, "nothing recorded yet: {r:?}");
    home.devk(&kc, &["switch", "kind-dev"]);
    home.devk(&kc, &["switch", "-"]);
    assert_eq!(
        home.devk(&kc, &["current", "-o", "context"]).stdout,
        "minikube\n"
    );
    home.devk(&kc, &["switch", "-"]);
    assert_eq!(
        home.devk(&kc, &["current", "-o", "context"]).stdout,
        "kind-dev\n"
    );
}

#[test]
fn switch_with_namespace_sets_both_and_says_when_it_could_not_check() {
    let home = Home::new();
    let kc = standard(&home);
    let r = home.devk(&kc, &["switch", "eks-staging", "-n", "payments"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("could not check"), "{r:?}");
    assert_eq!(
        home.devk(&kc, &["current"]).stdout,
        "eks-staging:payments\n"
    );
}

#[test]
fn ns_sets_namespace_and_dash_restores_it() {
    let home = Home::new();
    let kc = standard(&home);
    home.devk(&kc, &["switch", "eks-staging"]);
    let r = home.devk(&kc, &["ns", "orders"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("could not check"), "{r:?}");
    assert_eq!(
        home.devk(&kc, &["current", "-o", "namespace"]).stdout,
        "orders\n"
    );
    home.devk(&kc, &["ns", "-"]);
    assert_eq!(
        home.devk(&kc, &["current", "-o", "namespace"]).stdout,
        "default\n"
    );
}

#[test]
fn ns_listing_an_unreachable_cluster_fails_with_unreachable_code() {
    let home = Home::new();
    let kc = standard(&home);
    home.devk(&kc, &["switch", "eks-staging"]);
    let r = home.devk(&kc, &["ns"]);
    assert_eq!(r.code, 8, "{r:?}");
    assert!(
        r.stderr.contains("eks-staging") && r.stderr.contains("current namespace is `default`"),
        "{r:?}"
    );
}

#[test]
fn switch_shell_changes_only_that_shell() {
    let home = Home::new();
    let kc = standard(&home);
    let before = home.read("config");
    let r = home.devk(&kc, &["switch", "--shell", "kind-dev"]);
    assert_eq!(r.code, 0, "{r:?}");
    let line = r.stdout.trim();
    let list = line
        .strip_prefix("export KUBECONFIG='")
        .and_then(|l| l.strip_suffix('\''))
        .unwrap_or_else(|| panic!("unexpected: {line}"));
    let (shell_file, rest) = list.split_once(':').unwrap();
    assert_eq!(rest, kc);
    assert!(shell_file.contains("/devk/shells/shell-"), "{shell_file}");
    assert_eq!(
        home.read("config"),
        before,
        "the shared kubeconfig is untouched"
    );
    // In "that shell": the context is kind-dev; a namespace change stays in the shell file.
    assert_eq!(home.devk(list, &["current"]).stdout, "kind-dev:team\n");
    assert_eq!(home.devk(list, &["ns", "other", "--force"]).code, 0);
    assert_eq!(home.devk(list, &["current"]).stdout, "kind-dev:other\n");
    assert_eq!(home.read("config"), before);
    // Everywhere else nothing changed.
    assert_eq!(home.devk(&kc, &["current"]).stdout, "minikube:default\n");
    // Switching again in that shell reuses its file.
    let r = home.devk(list, &["switch", "--shell", "minikube"]);
    assert!(r.stdout.contains(shell_file), "{r:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(shell_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[test]
fn current_without_a_current_context_exits_not_found() {
    let home = Home::new();
    let kc = home
        .kube("c", &kubeconfig(None, &[("a", "a", DEAD, None)]))
        .display()
        .to_string();
    let r = home.devk(&kc, &["current"]);
    assert_eq!(r.code, 5, "{r:?}");
    assert!(r.stdout.is_empty());
}

#[test]
fn context_add_rename_delete() {
    let home = Home::new();
    let kc = standard(&home);
    let ca = home.kube(
        "ca.crt",
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    );
    let r = home.devk(
        &kc,
        &[
            "context",
            "add",
            "eks-dev",
            "--server",
            "https://dev.example.com",
            "--certificate-authority",
            ca.to_str().unwrap(),
            "--embed-certs",
            "--exec-command",
            "aws",
            "--exec-arg",
            "eks",
            "--exec-arg",
            "get-token",
            "--exec-arg",
            "--cluster-name",
            "--exec-arg",
            "dev",
            "-n",
            "web",
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let text = home.read("config");
    assert!(
        text.contains("certificate-authority-data: LS0tLS1CRUdJTi"),
        "{text}"
    );
    assert!(
        text.contains("command: aws") && text.contains("--cluster-name"),
        "{text}"
    );
    let r = home.devk(&kc, &["context", "rename", "eks-dev", "eks-development"]);
    assert_eq!(r.code, 0, "{r:?}");
    let r = home.devk(&kc, &["context", "delete", "eks-development"]);
    assert_eq!(r.code, 6, "no terminal, no --yes: {r:?}");
    let r = home.devk(&kc, &["context", "delete", "eks-development", "--yes"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        !home
            .devk(&kc, &["contexts", "-o", "name"])
            .stdout
            .contains("eks-dev")
    );
}

#[test]
fn context_add_with_a_missing_ca_file_writes_nothing() {
    let home = Home::new();
    let kc = standard(&home);
    let before = home.read("config");
    let r = home.devk(
        &kc,
        &[
            "context",
            "add",
            "x",
            "--server",
            "https://x",
            "--certificate-authority",
            "/nope/ca.crt",
        ],
    );
    assert_eq!(r.code, 10, "{r:?}");
    assert!(r.stderr.contains("/nope/ca.crt"), "{r:?}");
    assert_eq!(home.read("config"), before);
}

#[test]
fn a_broken_kubeconfig_names_file_and_line_and_exits_4() {
    let home = Home::new();
    let bad = home.kube(
        "bad",
        "apiVersion: v1\ncontexts:\n- name: a\n  context: {cluster: c\nusers: []\n",
    );
    let r = home.devk(bad.to_str().unwrap(), &["switch", "a"]);
    assert_eq!(r.code, 4, "{r:?}");
    assert!(r.stderr.contains(&format!("{}:", bad.display())), "{r:?}");
    assert_eq!(
        fs::read_to_string(&bad).unwrap(),
        "apiVersion: v1\ncontexts:\n- name: a\n  context: {cluster: c\nusers: []\n"
    );
}

#[test]
fn a_bad_project_config_is_reported_with_line_and_suggestion() {
    let home = Home::new();
    let kc = standard(&home);
    fs::write(
        home.path().join("devk.toml"),
        "[contexts]\nprotectd = [\"*live*\"]\n",
    )
    .unwrap();
    let r = home.devk(&kc, &["switch", "kind-dev"]);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(
        r.stderr.contains("devk.toml:2") && r.stderr.contains("contexts.protected"),
        "{r:?}"
    );
}

#[test]
fn project_config_adds_protected_patterns_and_keeps_the_defaults() {
    let home = Home::new();
    let kc = standard(&home);
    fs::write(
        home.path().join("devk.toml"),
        "[contexts]\nprotected = [\"*staging*\"]\n",
    )
    .unwrap();
    let r = home.devk(&kc, &["switch", "eks-staging"]);
    assert_eq!(r.code, 6, "{r:?}");
    let r = home.devk(&kc, &["switch", "eks-prod-eu"]);
    assert_eq!(
        r.code, 6,
        "a project file must not take away the built-in protection: {r:?}"
    );
    let r = home.devk(&kc, &["config", "check"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout.contains(
            "devk.toml:2: contexts.protected leaves out `*prod*`, `*prd*`, `*production*`"
        ),
        "{r:?}"
    );
}

#[test]
fn environment_and_flags_add_protected_patterns_and_keep_the_defaults() {
    let home = Home::new();
    let kc = standard(&home);
    let mut cmd = devk(home.path());
    cmd.env("KUBECONFIG", &kc)
        .env("DEVK_CONTEXTS_PROTECTED", "*live*")
        .args(["switch", "eks-prod-eu"]);
    let r = run(&mut cmd);
    assert_eq!(r.code, 6, "{r:?}");
    let r = home.devk(
        &kc,
        &["--set", "contexts.protected=[]", "switch", "eks-prod-eu"],
    );
    assert_eq!(r.code, 6, "{r:?}");
}

#[test]
fn only_the_user_config_file_removes_a_default_protection() {
    let home = Home::new();
    let kc = standard(&home);
    let dir = home.path().join(".config/devk");
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join("config.toml"),
        "[contexts]\nprotected = [\"*staging*\"]\n",
    )
    .unwrap();
    let r = home.devk(&kc, &["config", "check"]);
    assert!(
        r.stdout
            .contains("config.toml:2: built-in `*prod*`, `*prd*`, `*production*` removed"),
        "{r:?}"
    );
    let r = home.devk(&kc, &["switch", "eks-prod-eu"]);
    assert_eq!(r.code, 0, "the user's own file may turn it off: {r:?}");
}

#[test]
fn a_held_kubectl_lock_exits_7_with_advice() {
    let home = Home::new();
    let kc = standard(&home);
    fs::write(format!("{kc}.lock"), "").unwrap();
    let r = home.devk(
        &kc,
        &[
            "--set",
            "kubeconfig.lock_timeout_ms=100",
            "switch",
            "kind-dev",
        ],
    );
    assert_eq!(r.code, 7, "{r:?}");
    assert!(
        r.stderr.contains("config.lock") && r.stderr.contains("rm "),
        "{r:?}"
    );
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let home = Home::new();
    let many: Vec<(String, String)> = (0..3000)
        .map(|i| (format!("ctx-{i:05}"), format!("c{i}")))
        .collect();
    let rows: Vec<(&str, &str, &str, Option<&str>)> = many
        .iter()
        .map(|(n, c)| (n.as_str(), c.as_str(), DEAD, None))
        .collect();
    let kc = home
        .kube("big", &kubeconfig(None, &rows))
        .display()
        .to_string();
    let mut cmd = devk(home.path());
    cmd.env("KUBECONFIG", &kc)
        .args(["contexts"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn completions_offer_context_names() {
    let home = Home::new();
    let kc = standard(&home);
    let mut cmd = devk(home.path());
    cmd.env("KUBECONFIG", &kc)
        .env("COMPLETE", "fish")
        .args(["--", "devk", "switch", "eks-p"]);
    let r = run(&mut cmd);
    assert_eq!(r.code, 0, "{r:?}");
    let got: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(got, vec!["eks-prod-eu", "eks-prod-us"], "{r:?}");
    let script = home.devk(&kc, &["completions", "bash"]);
    assert!(
        script.stdout.contains("COMPLETE") && script.stdout.contains("complete"),
        "{script:?}"
    );
}

#[test]
fn man_page_is_generated() {
    let home = Home::new();
    let r = home.devk("", &["man"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains(".TH devk"),
        "{}",
        &r.stdout[..200.min(r.stdout.len())]
    );
}
