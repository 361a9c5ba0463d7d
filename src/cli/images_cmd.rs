//! `devk images`: the project's local images (the `[images] name` repository, in any
//! registry) with their tags, size, age and where each has been pushed.

use super::output::{async_runtime, out};
use super::{Failure, Globals};
use crate::exit::Exit;
use crate::format::{age as human_age, size as human_size};
use crate::images::list::ImageRow;
use crate::images::local::load;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The repository name to list (default: `[images] name` from devk.toml).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
}

pub use super::output::TextOrJson as Format;

/// The project's image name: `--name`, else `[images] name` from the config.
pub fn project_name(g: &Globals, arg: Option<String>) -> Result<String, Failure> {
    if let Some(n) = arg.filter(|n| !n.trim().is_empty()) {
        return Ok(n);
    }
    let name = g.config()?.config.images.name.trim().to_string();
    if name.is_empty() {
        return Err(Failure::new(
            Exit::Config,
            "no project image name: set `name` under [images] in devk.toml, or pass --name NAME",
        ));
    }
    Ok(name)
}

pub fn exec(args: Args, g: &Globals) -> Result<(), Failure> {
    let name = project_name(g, args.name)?;
    let rt = async_runtime(1)?;
    let state = crate::state::state_dir();
    let rows = rt
        .block_on(load(&name, state.as_deref()))
        .map_err(|e| Failure::new(e.exit(), e.to_string()))?;
    let text = match args.output {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&rows)
                .map_err(|e| Failure::new(Exit::Failure, e.to_string()))?;
            s.push('\n');
            s
        }
        Format::Text => table(&name, &rows, jiff::Timestamp::now().as_second()),
    };
    out(&text)
}

/// The text table: one row per image, its other tags and pushes on indented lines.
pub fn table(name: &str, rows: &[ImageRow], now: i64) -> String {
    if rows.is_empty() {
        return format!(
            "no local images of `{name}` (build one with `devk build`, or tag one `{name}:TAG`)\n"
        );
    }
    let tag_w = rows
        .iter()
        .map(|r| r.main_tag().unwrap_or("").len())
        .max()
        .unwrap_or(0)
        .max(3);
    let mut s = format!(
        "{:<tag_w$}  {:<12}  {:>7}  {:>4}  PUSHED TO\n",
        "TAG", "IMAGE ID", "SIZE", "AGE"
    );
    for r in rows {
        let pushed = if r.pushed_to.is_empty() {
            "-".to_string()
        } else {
            r.pushed_to
                .iter()
                .map(|p| p.reference.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        s.push_str(&format!(
            "{:<tag_w$}  {:<12}  {:>7}  {:>4}  {pushed}\n",
            r.main_tag().unwrap_or(""),
            r.short_id(),
            human_size(r.size),
            human_age(r.created, now),
        ));
        for t in r.tags.iter().skip(1) {
            s.push_str(&format!("  also tagged {t}\n"));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::images::list::PushedTo;

    #[test]
    fn table_lists_tags_size_age_and_pushes() {
        let rows = vec![ImageRow {
            id: "sha256:0123456789abcdef".into(),
            tags: vec!["app:1".into(), "127.0.0.1:5000/app:1".into()],
            size: 2_000_000,
            created: 0,
            pushed_to: vec![PushedTo {
                reference: "127.0.0.1:5000/app:1".into(),
                digest: Some("sha256:d".into()),
                pushed_at: Some("t".into()),
            }],
        }];
        assert_eq!(
            table("app", &rows, 7200),
            "TAG    IMAGE ID         SIZE   AGE  PUSHED TO\n\
             app:1  0123456789ab    2.0MB  120m  127.0.0.1:5000/app:1\n  \
             also tagged 127.0.0.1:5000/app:1\n"
        );
        assert!(table("app", &[], 0).contains("no local images of `app`"));
    }
}
