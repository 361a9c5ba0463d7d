//! Case-insensitive shell-style globs (`*` and `?`) for context name patterns.

/// A compiled pattern such as `*prod*` or `kind-?`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    pattern: String,
    lowered: Vec<char>,
}

impl Glob {
    pub fn new(pattern: &str) -> Glob {
        Glob {
            pattern: pattern.to_string(),
            lowered: pattern.to_lowercase().chars().collect(),
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// True when `text` matches, ignoring case.
    pub fn matches(&self, text: &str) -> bool {
        let text: Vec<char> = text.to_lowercase().chars().collect();
        let (p, t) = (&self.lowered, &text);
        // Iterative wildcard match with single-star backtracking: linear in practice.
        let (mut pi, mut ti) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while ti < t.len() {
            if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
                pi += 1;
                ti += 1;
            } else if pi < p.len() && p[pi] == '*' {
                star = Some((pi, ti));
                pi += 1;
            } else if let Some((sp, st)) = star {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            } else {
                return false;
            }
        }
        p[pi..].iter().all(|&c| c == '*')
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("*prod*", "prod", true)]
    #[case("*prod*", "eks-PROD-eu", true)]
    #[case("*prod*", "product", true)]
    #[case("*prod*", "staging", false)]
    #[case("kind-*", "kind-dev", true)]
    #[case("kind-*", "mykind-dev", false)]
    #[case("k?d", "kid", true)]
    #[case("k?d", "kd", false)]
    #[case("exact", "exact", true)]
    #[case("exact", "exactly", false)]
    #[case("*", "", true)]
    #[case("a*b*c", "axxbyyc", true)]
    #[case("a*b*c", "axxbyy", false)]
    fn glob_matches(#[case] pattern: &str, #[case] text: &str, #[case] want: bool) {
        assert_eq!(Glob::new(pattern).matches(text), want);
    }
}
