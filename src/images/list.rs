//! `devk images` and the TUI Images tab: the project's local images with their tags, size,
//! age and where each has been pushed. Plain values and pure selection ([`project_rows`]);
//! `images::local` asks the engine for its images (the only part with bollard code).
//!
//! An image belongs to the project when one of its tags names the project's repository
//! (`[images] name`), in any registry: `app:1`, `127.0.0.1:5000/app:1` and
//! `team/app:dev` all belong to `app`. "Pushed to" joins devk's own push records (with time
//! and digest) and the engine's RepoDigests (the engine records one after every push or pull
//! of the repository, so pushes made with `docker push` show too).

use super::pushed::PushLog;
use crate::policy::ImageRef;

/// An image as the engine lists it (plain values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalImage {
    pub id: String,
    pub repo_tags: Vec<String>,
    pub repo_digests: Vec<String>,
    /// Unix seconds.
    pub created: i64,
    pub size: u64,
}

/// Where an image is known to be.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PushedTo {
    /// A reference (`127.0.0.1:5000/app:1`) or, from a RepoDigest, a repository.
    pub reference: String,
    pub digest: Option<String>,
    /// RFC 3339 time of a push devk made; `None` when only the engine knows.
    pub pushed_at: Option<String>,
}

/// One row of the list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImageRow {
    /// The full image ID (`sha256:...`).
    pub id: String,
    /// All tags of the image, the project's first.
    pub tags: Vec<String>,
    pub size: u64,
    /// Unix seconds.
    pub created: i64,
    pub pushed_to: Vec<PushedTo>,
}

impl ImageRow {
    /// The 12-hex-digit ID the docker CLI shows.
    pub fn short_id(&self) -> &str {
        let hex = self.id.strip_prefix("sha256:").unwrap_or(&self.id);
        hex.get(..12).unwrap_or(hex)
    }

    /// The tag to push or act on: the first project tag.
    pub fn main_tag(&self) -> Option<&str> {
        self.tags.first().map(String::as_str)
    }
}

/// True when `tag` names the repository `name` (`app` or `team/app`), in any registry.
pub fn tag_is_project(tag: &str, name: &str) -> bool {
    let Ok(r) = ImageRef::parse(tag) else {
        return false;
    };
    let name = name.trim_matches('/');
    let path = r.path();
    path == name
        || path.ends_with(&format!("/{name}"))
        || format!("{}/{}", r.registry(), path) == name
}

/// The project's images, newest first, with where each has been pushed.
pub fn project_rows(images: &[LocalImage], name: &str, log: &PushLog) -> Vec<ImageRow> {
    let mut rows: Vec<ImageRow> = images
        .iter()
        .filter(|i| i.repo_tags.iter().any(|t| tag_is_project(t, name)))
        .map(|i| {
            let (mut tags, others): (Vec<String>, Vec<String>) = i
                .repo_tags
                .iter()
                .filter(|t| !t.starts_with("<none>"))
                .cloned()
                .partition(|t| tag_is_project(t, name));
            tags.sort();
            tags.extend(others);
            let mut pushed_to: Vec<PushedTo> = log
                .for_image(&i.id)
                .map(|r| PushedTo {
                    reference: r.reference.clone(),
                    digest: r.digest.clone(),
                    pushed_at: Some(r.pushed_at.clone()),
                })
                .collect();
            for d in &i.repo_digests {
                let Some((repo, digest)) = d.split_once('@') else {
                    continue;
                };
                let known = pushed_to.iter().any(|p| {
                    p.digest.as_deref() == Some(digest)
                        && ImageRef::parse(&p.reference)
                            .ok()
                            .zip(ImageRef::parse(repo).ok())
                            .is_some_and(|(a, b)| {
                                a.registry() == b.registry() && a.path() == b.path()
                            })
                });
                if !known && !repo.starts_with("<none>") {
                    pushed_to.push(PushedTo {
                        reference: repo.to_string(),
                        digest: Some(digest.to_string()),
                        pushed_at: None,
                    });
                }
            }
            ImageRow {
                id: i.id.clone(),
                tags,
                size: i.size,
                created: i.created,
                pushed_to,
            }
        })
        .collect();
    rows.sort_by(|a, b| b.created.cmp(&a.created).then(a.id.cmp(&b.id)));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::images::pushed::PushRecord;
    use rstest::rstest;

    #[rstest]
    #[case::bare("app:1", "app", true)]
    #[case::registry("127.0.0.1:5000/app:1", "app", true)]
    #[case::team("team/app:dev", "app", true)]
    #[case::team_name("ghcr.io/team/app:dev", "team/app", true)]
    #[case::ecr("123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1", "app", true)]
    #[case::prefix_only("application:1", "app", false)]
    #[case::other("web:1", "app", false)]
    #[case::none("<none>:<none>", "app", false)]
    fn project_tags(#[case] tag: &str, #[case] name: &str, #[case] want: bool) {
        assert_eq!(tag_is_project(tag, name), want);
    }

    #[test]
    fn rows_select_sort_and_join_pushes() {
        let images = vec![
            LocalImage {
                id: "sha256:aaaaaaaaaaaaaaaaaaaa".into(),
                repo_tags: vec!["zzz:1".into(), "app:old".into()],
                repo_digests: vec![],
                created: 100,
                size: 1_500_000,
            },
            LocalImage {
                id: "sha256:bbbbbbbbbbbbbbbbbbbb".into(),
                repo_tags: vec!["127.0.0.1:5000/app:2".into(), "app:2".into()],
                repo_digests: vec![
                    "127.0.0.1:5000/app@sha256:d1".into(),
                    "ghcr.io/t/app@sha256:d2".into(),
                ],
                created: 200,
                size: 999,
            },
            LocalImage {
                id: "sha256:cccc".into(),
                repo_tags: vec!["web:1".into()],
                repo_digests: vec![],
                created: 300,
                size: 1,
            },
        ];
        let mut log = PushLog::default();
        log.add(PushRecord {
            reference: "127.0.0.1:5000/app:2".into(),
            image_id: "sha256:bbbbbbbbbbbbbbbbbbbb".into(),
            digest: Some("sha256:d1".into()),
            pushed_at: "2026-11-27T10:00:00Z".into(),
        });
        let rows = project_rows(&images, "app", &log);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].short_id(), "bbbbbbbbbbbb");
        assert_eq!(rows[0].tags, ["127.0.0.1:5000/app:2", "app:2"]);
        assert_eq!(
            rows[0].pushed_to,
            [
                PushedTo {
                    reference: "127.0.0.1:5000/app:2".into(),
                    digest: Some("sha256:d1".into()),
                    pushed_at: Some("2026-11-27T10:00:00Z".into()),
                },
                PushedTo {
                    reference: "ghcr.io/t/app".into(),
                    digest: Some("sha256:d2".into()),
                    pushed_at: None,
                },
            ]
        );
        assert_eq!(rows[1].tags, ["app:old", "zzz:1"]);
        assert!(rows[1].pushed_to.is_empty());
    }
}
