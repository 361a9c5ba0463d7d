//! `devk contexts`: every context with its class.

use super::output::{out, paint, stdout_color};
use super::{Failure, Globals};
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

/// The table `devk contexts` prints.
pub fn table(rows: &[ContextRow], color: bool) -> String {
    let header = [
        "CURRENT",
        "NAME",
        "CLASS",
        "CLUSTER",
        "SERVER",
        "USER",
        "NAMESPACE",
    ];
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                if r.current { "*".into() } else { String::new() },
                r.name.clone(),
                r.class.to_string(),
                r.cluster.clone(),
                r.server.clone().unwrap_or_else(|| "-".into()),
                r.user.clone(),
                r.namespace.clone(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
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
    s.push_str(&line(&header.map(String::from), &[]));
    for (r, c) in rows.iter().zip(&cells) {
        let class_style = match r.class {
            ContextClass::Protected => Some("1;31"),
            ContextClass::Local => Some("32"),
            ContextClass::Remote => Some("33"),
        };
        let name_style = r.current.then_some("1");
        s.push_str(&line(c, &[None, name_style, class_style]));
    }
    s
}
