//! The text of `devk config check`.

use std::fmt::Write as _;

use super::tree::Origin;
use super::{LayerInfo, LayerKind};

/// Longest `key = value` column before the `# origin` comments stop being aligned.
const MAX_ALIGN: usize = 48;

pub(super) fn render(layers: &[LayerInfo], leaves: &[(String, &toml::Value, &Origin)]) -> String {
    let mut out = String::from("Layers, lowest precedence first:\n");
    let kind_width = layers
        .iter()
        .map(|l| l.kind.to_string().len())
        .max()
        .unwrap_or(0);
    for layer in layers {
        let _ = writeln!(
            out,
            "  {:<kind_width$}  {}  ({})",
            layer.kind.to_string(),
            layer.source,
            status(layer)
        );
    }
    out.push_str("\nEffective configuration:\n");
    let lines: Vec<(String, String)> = leaves
        .iter()
        .map(|(key, value, origin)| (format!("{key} = {}", value), origin.to_string()))
        .collect();
    let width = lines
        .iter()
        .map(|(kv, _)| kv.chars().count())
        .filter(|w| *w <= MAX_ALIGN)
        .max()
        .unwrap_or(0);
    for (kv, origin) in lines {
        let _ = writeln!(out, "  {kv:<width$}  # {origin}");
    }
    out
}

fn status(layer: &LayerInfo) -> String {
    let n = layer.keys.len();
    let sets = format!("sets {n} key{}", if n == 1 { "" } else { "s" });
    match (layer.kind, layer.present) {
        (LayerKind::Default, _) => sets,
        (LayerKind::User | LayerKind::Project, true) => format!("found, {sets}"),
        (LayerKind::User | LayerKind::Project, false) => "not found".into(),
        (LayerKind::Env, true) | (LayerKind::Flags, true) => sets,
        (LayerKind::Env, false) => "no DEVK_* variable set".into(),
        (LayerKind::Flags, false) => "no --set flags".into(),
    }
}
