//! A tenant image made from binaries on this machine, for engines that can reach no registry
//! (tests, benchmarks, a demo on one host): a root filesystem holding the binaries and the
//! shared libraries `ldd` lists for them, imported as "docker import" does.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    process::Command,
};

use bollard::query_parameters::{CreateImageOptionsBuilder, PruneImagesOptions};
use futures::StreamExt as _;

use crate::runtime::{
    RuntimeError, client::EngineClient, docker::DockerRuntime, swarm::SwarmRuntime,
};

/// Building the root filesystem failed.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
    #[error("{0} failed")]
    Tool(&'static str),
    #[error(transparent)]
    Engine(#[from] RuntimeError),
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> ImageError {
    let what = what.into();
    move |source| ImageError::Io { what, source }
}

/// A tar of a root filesystem: each `(binary, name)` at `/usr/local/bin/<name>`, the libraries
/// the binaries link at the paths `ldd` prints, and an empty `/tmp`.
pub fn rootfs_tar(bins: &[(PathBuf, &str)]) -> Result<Vec<u8>, ImageError> {
    let dir = std::env::temp_dir().join(format!(
        "tenant-rootfs-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    let result = fill(&dir, bins).and_then(|()| tar(&dir));
    // Best effort: a leftover temporary directory is not worth failing for.
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn fill(dir: &Path, bins: &[(PathBuf, &str)]) -> Result<(), ImageError> {
    let bin_dir = dir.join("usr/local/bin");
    std::fs::create_dir_all(&bin_dir).map_err(io(bin_dir.display().to_string()))?;
    std::fs::create_dir_all(dir.join("tmp")).map_err(io("tmp"))?;
    for (bin, name) in bins {
        std::fs::copy(bin, bin_dir.join(name)).map_err(io(bin.display().to_string()))?;
        let ldd = Command::new("ldd").arg(bin).output().map_err(io("ldd"))?;
        if !ldd.status.success() {
            return Err(ImageError::Tool("ldd"));
        }
        for lib in String::from_utf8_lossy(&ldd.stdout)
            .lines()
            .filter_map(|line| line.split_whitespace().find(|w| w.starts_with('/')))
        {
            let lib = Path::new(lib);
            let Ok(relative) = lib.strip_prefix("/") else {
                continue;
            };
            let to = dir.join(relative);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(io(parent.display().to_string()))?;
            }
            std::fs::copy(lib, &to).map_err(io(lib.display().to_string()))?;
        }
    }
    Ok(())
}

fn tar(dir: &Path) -> Result<Vec<u8>, ImageError> {
    let out = Command::new("tar")
        .arg("-C")
        .arg(dir)
        .args(["-c", "."])
        .output()
        .map_err(io("tar"))?;
    if !out.status.success() {
        return Err(ImageError::Tool("tar"));
    }
    Ok(out.stdout)
}

/// Imports a root filesystem tar as `repo_tag` (`repository:tag`) with `entrypoint` (a JSON
/// array). Written for podman 4.3 as much as Docker: `create_image` from source `-` (bollard's
/// `import_image` is `docker load`), the tag inside the repository (podman ignores `tag`), and
/// a single change (podman reads several joined ones as one instruction).
pub async fn import_rootfs(
    client: &EngineClient,
    repo_tag: &str,
    tar: Vec<u8>,
    entrypoint: &str,
) -> Result<(), RuntimeError> {
    let options = CreateImageOptionsBuilder::new()
        .from_src("-")
        .repo(repo_tag)
        .changes(vec![format!("ENTRYPOINT {entrypoint}")])
        .build();
    let docker = client.get().await?;
    let mut stream = docker.create_image(Some(options), Some(bollard::body_full(tar.into())), None);
    while let Some(step) = stream.next().await {
        step.map_err(|e| RuntimeError::Engine(format!("importing {repo_tag}: {e}")))?;
    }
    Ok(())
}

/// Removes images no tag names any more: each import under an existing tag leaves the previous
/// image so, and repeated test runs would fill the disk. The engine keeps any such image a
/// container still uses.
pub async fn prune_untagged_images(client: &EngineClient) -> Result<(), RuntimeError> {
    let options = PruneImagesOptions {
        filters: Some(HashMap::from([(
            "dangling".to_owned(),
            vec!["true".to_owned()],
        )])),
    };
    client
        .get()
        .await?
        .prune_images(Some(options))
        .await
        .map(|_| ())
        .map_err(|e| RuntimeError::Engine(format!("pruning untagged images: {e}")))
}

/// Image calls on either runtime's engine (on a swarm: the manager's own node; each node runs
/// the image it has under the tag, so import on every node, or use a registry).
macro_rules! image_calls {
    ($runtime:ty) => {
        impl $runtime {
            /// [`import_rootfs`] on this runtime's engine.
            pub async fn import_rootfs(
                &self,
                repo_tag: &str,
                tar: Vec<u8>,
                entrypoint: &str,
            ) -> Result<(), RuntimeError> {
                import_rootfs(self.client(), repo_tag, tar, entrypoint).await
            }

            /// [`prune_untagged_images`] on this runtime's engine.
            pub async fn prune_untagged_images(&self) -> Result<(), RuntimeError> {
                prune_untagged_images(self.client()).await
            }
        }
    };
}

image_calls!(DockerRuntime);
image_calls!(SwarmRuntime);
