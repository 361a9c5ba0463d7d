//! The text of `devk config check`.

use std::fmt::Write as _;

use super::safety::SafetyReport;
use super::tree::Origin;
use super::{LayerInfo, LayerKind};

/// Longest `key = value` column before the `# origin` comments stop being aligned.
const MAX_ALIGN: usize = 48;

pub(super) fn render(
    layers: &[LayerInfo],
    leaves: &[(String, &toml::Value, &Origin)],
    safety: &SafetyReport,
) -> String {
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
    render_safety(&mut out, safety);
    out
}

/// Which protections are off and where that was said; what a repository or shell tried to
/// loosen and was left out.
fn render_safety(out: &mut String, safety: &SafetyReport) {
    out.push_str(
        "\nSafety settings (a project devk.toml, DEVK_* and --set can only tighten them):\n",
    );
    if safety.off.is_empty() {
        out.push_str("  every built-in protection is on\n");
    } else {
        out.push_str("  off or loosened by your own config file:\n");
        for off in &safety.off {
            let _ = writeln!(out, "    {off}");
        }
    }
    if !safety.ignored.is_empty() {
        out.push_str("  not applied, because it would loosen a safety setting:\n");
        for ignored in &safety.ignored {
            let _ = writeln!(out, "    {ignored}");
        }
    }
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
