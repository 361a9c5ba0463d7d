//! `yaml-crates fidelity` prints how each crate reads the scalars in `CASES` (as JSON, or the
//! crate's own debug form); `yaml-crates speed FILE N` times N parses of FILE per crate.
use std::time::Instant;

/// Scalars where YAML 1.1 (go-yaml, kubectl) and YAML 1.2 readers can disagree, plus YAML
/// features kubeconfigs rarely use (anchors, merge keys, tags).
const CASES: &[&str] = &[
    "yes", "no", "on", "off", "y", "n", "True", "012", "0o12", "0x1F", "1_000", "1:30", ".inf",
    "~", "2001-12-14", "1e3", "+12", "\"012\"", "!!str 012",
];

fn fidelity() {
    for raw in CASES {
        let doc = format!("v: {raw}\n");
        let show = |r: Result<serde_json::Value, String>| match r {
            Ok(v) => v["v"].to_string(),
            Err(e) => format!("error: {}", e.lines().next().unwrap_or_default()),
        };
        let a = show(serde_yaml::from_str(&doc).map_err(|e| e.to_string()));
        let b = show(serde_yaml_ng::from_str(&doc).map_err(|e| e.to_string()));
        let c = show(serde_norway::from_str(&doc).map_err(|e| e.to_string()));
        let d = show(serde_saphyr::from_str(&doc).map_err(|e| e.to_string()));
        let e = {
            use saphyr::LoadableYamlNode;
            match saphyr::Yaml::load_from_str(&doc) {
                Ok(docs) => format!("{:?}", docs.first().map(|m| m["v"].clone())),
                Err(e) => format!("error: {e}"),
            }
        };
        let f = match yaml_rust2::YamlLoader::load_from_str(&doc) {
            Ok(docs) => format!("{:?}", docs.first().map(|m| m["v"].clone())),
            Err(e) => format!("error: {e}"),
        };
        println!("{raw}\tserde_yaml={a}\tserde_yaml_ng={b}\tserde_norway={c}\tserde-saphyr={d}\tsaphyr={e}\tyaml-rust2={f}");
    }
    // Anchors and merge keys (go-yaml supports both).
    let doc = "base: &b {server: x}\nc:\n  <<: *b\n  name: y\n";
    let show = |r: Result<serde_json::Value, String>| r.map(|v| v["c"].to_string()).unwrap_or_else(|e| format!("error: {e}"));
    println!("merge-key\tserde_yaml={}\tserde_yaml_ng={}\tserde_norway={}\tserde-saphyr={}",
        show(serde_yaml::from_str(doc).map_err(|e| e.to_string())),
        show(serde_yaml_ng::from_str(doc).map_err(|e| e.to_string())),
        show(serde_norway::from_str(doc).map_err(|e| e.to_string())),
        show(serde_saphyr::from_str(doc).map_err(|e| e.to_string())));
    let dup = "a: 1\na: 2\n";
    println!("duplicate-key\tserde_yaml={}\tserde_yaml_ng={}\tserde_norway={}\tserde-saphyr={}",
        show(serde_yaml::from_str::<serde_yaml::Value>(dup).map(|_| serde_json::json!({"c":"accepted"})).map_err(|e| e.to_string())),
        show(serde_yaml_ng::from_str::<serde_yaml_ng::Value>(dup).map(|_| serde_json::json!({"c":"accepted"})).map_err(|e| e.to_string())),
        show(serde_norway::from_str::<serde_norway::Value>(dup).map(|_| serde_json::json!({"c":"accepted"})).map_err(|e| e.to_string())),
        show(serde_saphyr::from_str::<serde_json::Value>(dup).map(|_| serde_json::json!({"c":"accepted"})).map_err(|e| e.to_string())));
}

fn time(name: &str, n: usize, mut f: impl FnMut() -> bool) {
    assert!(f(), "{name} failed to parse");
    let start = Instant::now();
    for _ in 0..n {
        std::hint::black_box(f());
    }
    println!("{name}\t{:.2} ms per parse", start.elapsed().as_secs_f64() * 1000.0 / n as f64);
}

fn speed(path: &str, n: usize) {
    let text = std::fs::read_to_string(path).expect("read");
    time("serde_yaml 0.9 (Value)", n, || serde_yaml::from_str::<serde_yaml::Value>(&text).is_ok());
    time("serde_yaml_ng 0.10 (Value)", n, || serde_yaml_ng::from_str::<serde_yaml_ng::Value>(&text).is_ok());
    time("serde_norway 0.9 (Value)", n, || serde_norway::from_str::<serde_norway::Value>(&text).is_ok());
    time("serde-saphyr 2 (serde_json::Value)", n, || serde_saphyr::from_str::<serde_json::Value>(&text).is_ok());
    time("saphyr 0.3 (Yaml)", n, || {
        use saphyr::LoadableYamlNode;
        saphyr::Yaml::load_from_str(&text).is_ok()
    });
    time("yaml-rust2 0.10 (Yaml)", n, || yaml_rust2::YamlLoader::load_from_str(&text).is_ok());
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("speed") => speed(&args[2], args.get(3).and_then(|s| s.parse().ok()).unwrap_or(20)),
        _ => fidelity(),
    }
}
