//! `devk contexts`: every context with its class.

use super::output::{out, paint, stdout_color};
use super::{Failure, Globals};
use crate::contexts::display::{display_name, unique_labels};
use crate::contexts::{ContextRow, rows};
use crate::kubeconfig::Kubeconfig;
use crate::policy::{ClassRules, ContextClass};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Table)]
    pub output: Format,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Name,
}

/// Class rules from the loaded config.
pub fn class_rules(g: &Globals) -> Result<ClassRules, Failure> {
    Ok(class_rules_from(&g.config()?.config))
}

/// Class rules from a config.
pub fn class_rules_from(cfg: &crate::config::Config) -> ClassRules {
    ClassRules::new(
        &cfg.contexts.protected,
        &cfg.contexts.local,
        ClassRules::minikube_home_from_env(),
    )
}

pub fn exec(args: Args, g: &Globals) -> Result<(), Failure> {
    let rules = class_rules(g)?;
    let kc = Kubeconfig::load_light(g.sources(), false)?;
    let rows = rows(&kc, &rules);
    let text = match args.output {
        Format::Name => rows.iter().map(|r| format!("{}\n", r.name)).collect(),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&rows)
                .map_err(|e| Failure::new(crate::exit::Exit::Failure, e.to_string()))?;
            s.push('\n');
            s
        }
        Format::Table => {
            if rows.is_empty() {
                super::output::note(&super::demo::first_run_hint(&kc).unwrap_or_else(|| {
                    format!(
                        "no contexts in {}; add one with `devk context add`",
                        kc.sources().describe()
                    )
                }));
                return Ok(());
            }
            table(&rows, stdout_color())
        }
    };
    out(&text)
}

/// The table `devk contexts` prints. Generated context names (EKS ARNs, GKE, eksctl, OpenShift)
/// are shown by their cluster's name, with where the cluster is in a WHERE column (only when
/// some context has one); names stay distinct (see `contexts::display`). `-o name` and
/// `-o json` keep the whole names.
pub fn table(rows: &[ContextRow], color: bool) -> String {
    let labels = unique_labels(rows.iter().map(|r| r.name.as_str()));
    let details: Vec<String> = rows
        .iter()
        .map(|r| display_name(&r.name).detail.unwrap_or_default())
        .collect();
    let with_where = details.iter().any(|d| !d.is_empty());
    let header = [
        "CURRENT",
        "NAME",
        "WHERE",
        "CLASS",
        "CLUSTER",
        "SERVER",
        "USER",
        "NAMESPACE",
    ];
    let cells: Vec<[String; 8]> = rows
        .iter()
        .zip(labels)
        .zip(details)
        .map(|((r, label), detail)| {
            [
                if r.current { "*".into() } else { String::new() },
                label,
                detail,
                r.class.to_string(),
                display_name(&r.cluster).name,
                r.server.clone().unwrap_or_else(|| "-".into()),
                display_name(&r.user).name,
                r.namespace.clone(),
            ]
        })
        .collect();
    // Without a generated name, no WHERE column.
    let keep = |i: usize| with_where || i != 2;
    let header: Vec<&str> = header
        .iter()
        .enumerate()
        .filter(|(i, _)| keep(*i))
        .map(|(_, h)| *h)
        .collect();
    let cells: Vec<Vec<String>> = cells
        .into_iter()
        .map(|row| {
            row.into_iter()
                .enumerate()
                .filter(|(i, _)| keep(*i))
                .map(|(_, c)| c)
                .collect()
        })
        .collect();
    let class_col = if with_where { 3 } else { 2 };
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut s = String::new();
    let line = |cols: &[String], styles: &[Option<&str>]| {
        let mut l = String::new();
        for (i, c) in cols.iter().enumerate() {
            let last = i + 1 == cols.len();
            let padded = if last {
                c.clone()
            } else {
                format!("{c:<width$}   ", width = widths[i])
            };
            match styles.get(i).copied().flatten() {
                Some(code) => {
                    // Pad outside the colour codes so columns stay aligned.
                    let trimmed = padded.trim_end();
                    let pad = &padded[trimmed.len()..];
                    l.push_str(&paint(trimmed, code, color));
                    l.push_str(pad);
                }
                None => l.push_str(&padded),
            }
        }
        l.trim_end().to_string() + "\n"
    };
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    s.push_str(&line(&header, &[]));
    for (r, c) in rows.iter().zip(&cells) {
        let class_style = match r.class {
            ContextClass::Protected => Some("1;31"),
            ContextClass::Local => Some("32"),
            ContextClass::Remote => Some("33"),
        };
        let mut styles = vec![None; c.len()];
        styles[1] = r.current.then_some("1");
        styles[class_col] = class_style;
        s.push_str(&line(c, &styles));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, class: ContextClass, current: bool) -> ContextRow {
        ContextRow {
            name: name.into(),
            current,
            class,
            class_reason: String::new(),
            cluster: name.into(),
            server: Some("https://example.eks.amazonaws.com".into()),
            user: name.into(),
            auth: String::new(),
            namespace: "default".into(),
            file: String::new(),
        }
    }

    #[test]
    fn generated_names_are_shown_by_cluster_with_where_it_is_and_stay_distinct() {
        let rows = [
            row(
                "arn:aws:eks:eu-west-1:123456789012:cluster/payments-prod",
                ContextClass::Protected,
                true,
            ),
            row(
                "arn:aws:eks:us-east-1:123456789012:cluster/payments-prod",
                ContextClass::Protected,
                false,
            ),
            row(
                "gke_acme-data_europe-west1-b_warehouse",
                ContextClass::Remote,
                false,
            ),
            row("minikube", ContextClass::Local, false),
        ];
        let t = table(&rows, false);
        let lines: Vec<&str> = t.lines().collect();
        assert!(
            lines[0].starts_with("CURRENT   NAME") && lines[0].contains("WHERE"),
            "{t}"
        );
        assert!(
            lines[1].starts_with("*         payments-prod (eu-west-1 · 123456789012)"),
            "{t}"
        );
        assert!(
            lines[2].contains("payments-prod (us-east-1 · 123456789012)"),
            "{t}"
        );
        assert!(
            lines[3].contains("warehouse") && lines[3].contains("acme-data · europe-west1-b"),
            "{t}"
        );
        assert!(!t.contains("arn:aws"), "{t}");
        // Without generated names there is no WHERE column.
        let plain = table(&rows[3..], false);
        assert!(!plain.contains("WHERE"), "{plain}");
    }
}
