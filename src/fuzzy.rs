//! Picking a name from what the user typed: exact, then case-insensitive exact, then a
//! fuzzy match (nucleo, the matcher behind helix's pickers) that must be unique. devk never
//! guesses between several candidates: with production contexts around, a wrong guess costs
//! more than one more keystroke.

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// The outcome of resolving a typed name against the known names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Exactly this name (possibly differing in case, or a unique fuzzy match).
    Found(String),
    /// Several names match equally well enough: the caller must not pick one.
    Ambiguous(Vec<String>),
    /// Nothing matches; the closest names by edit distance (possibly none).
    NotFound(Vec<String>),
}

/// Resolves `query` against `names`.
pub fn resolve(query: &str, names: &[String]) -> Resolution {
    if let Some(n) = names.iter().find(|n| *n == query) {
        return Resolution::Found(n.clone());
    }
    let ci: Vec<&String> = names
        .iter()
        .filter(|n| n.to_lowercase() == query.to_lowercase())
        .collect();
    if let [one] = ci.as_slice() {
        return Resolution::Found((*one).clone());
    }
    let ranked = rank(query, names);
    match ranked.as_slice() {
        [] => Resolution::NotFound(closest(query, names)),
        [(one, _)] => Resolution::Found(one.clone()),
        many => Resolution::Ambiguous(many.iter().map(|(n, _)| n.clone()).collect()),
    }
}

/// Names that fuzzy-match `query`, best first (ties in name order).
pub fn rank(query: &str, names: &[String]) -> Vec<(String, u32)> {
    let mut matcher = Matcher::new(Config::DEFAULT);
    let pattern = Pattern::new(
        query,
        CaseMatching::Ignore,
        Normalization::Smart,
        AtomKind::Fuzzy,
    );
    let mut buf = Vec::new();
    let mut out: Vec<(String, u32)> = names
        .iter()
        .filter_map(|n| {
            let score = pattern.score(Utf32Str::new(n, &mut buf), &mut matcher)?;
            Some((n.clone(), score))
        })
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// Up to three names within a small edit distance of `query`, for "did you mean".
fn closest(query: &str, names: &[String]) -> Vec<String> {
    let q = query.to_lowercase();
    let mut scored: Vec<(usize, &String)> = names
        .iter()
        .map(|n| (strsim::levenshtein(&q, &n.to_lowercase()), n))
        .filter(|(d, n)| *d <= (n.len().max(q.len()) / 3).max(1))
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, n)| n.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn names() -> Vec<String> {
        [
            "minikube",
            "kind-dev",
            "eks-staging",
            "eks-prod-eu",
            "eks-prod-us",
            "Prod",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    #[rstest]
    #[case::exact("minikube", Resolution::Found("minikube".into()))]
    #[case::exact_beats_fuzzy("Prod", Resolution::Found("Prod".into()))]
    #[case::case_insensitive_exact("MINIKUBE", Resolution::Found("minikube".into()))]
    #[case::unique_fuzzy("stag", Resolution::Found("eks-staging".into()))]
    #[case::unique_fuzzy_subsequence("mkube", Resolution::Found("minikube".into()))]
    #[case::ambiguous("prod-", Resolution::Ambiguous(vec!["eks-prod-eu".into(), "eks-prod-us".into()]))]
    #[case::not_found_with_suggestion("minikub3", Resolution::NotFound(vec!["minikube".into()]))]
    #[case::not_found_without_suggestion("zzzzzz", Resolution::NotFound(vec![]))]
    fn resolve_names(#[case] query: &str, #[case] want: Resolution) {
        assert_eq!(resolve(query, &names()), want);
    }

    #[test]
    fn lowercase_prod_is_case_insensitive_exact_when_unique() {
        let names = vec!["Prod".to_string(), "eks-prod-eu".to_string()];
        assert_eq!(resolve("prod", &names), Resolution::Found("Prod".into()));
    }
}
