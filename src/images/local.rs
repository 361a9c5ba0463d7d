//! The engine's side of the images list: asks the Docker Engine (bollard) for its images and
//! hands them, as plain [`LocalImage`] values, to the pure [`project_rows`].

use std::path::Path;

use bollard::Docker;

use super::docker::DockerError;
use super::list::{ImageRow, LocalImage, project_rows};
use super::pushed::PushLog;

/// Every image the engine has.
pub async fn local_images(docker: &Docker) -> Result<Vec<LocalImage>, bollard::errors::Error> {
    let list = docker
        .list_images(None::<bollard::query_parameters::ListImagesOptions>)
        .await?;
    Ok(list
        .into_iter()
        .map(|i| LocalImage {
            id: i.id,
            repo_tags: i.repo_tags,
            repo_digests: i.repo_digests,
            created: i.created,
            size: u64::try_from(i.size).unwrap_or(0),
        })
        .collect())
}

/// The project's rows from the engine at the resolved endpoint and the push records in
/// `state_dir`.
pub async fn load(name: &str, state_dir: Option<&Path>) -> Result<Vec<ImageRow>, DockerError> {
    let (docker, endpoint) = super::docker::connect_default().await?;
    let images = local_images(&docker)
        .await
        .map_err(|e| DockerError::Unreachable {
            endpoint: endpoint.host.clone(),
            source_of: "listing images".into(),
            reason: e.to_string(),
        })?;
    let log = state_dir.map(PushLog::load).unwrap_or_default();
    Ok(project_rows(&images, name, &log))
}
