//! A bot's secrets as Swarm secrets: one per variable, named after the service and a hash of the
//! content. Swarm secrets cannot change, so a new token is a new secret: the update swaps the
//! mount, and the old secret is removed once the update has ended (`settle`), or with the
//! service.

use std::collections::{BTreeSet, HashMap};

use base64::Engine as _;
use bollard::{
    Docker,
    models::{SecretSpec, TaskSpecContainerSpecFile, TaskSpecContainerSpecSecrets},
    query_parameters::ListSecretsOptionsBuilder,
};
use secrecy::{ExposeSecret as _, SecretString};
use sha2::{Digest as _, Sha256};

use crate::runtime::{
    RuntimeError,
    client::{engine_error, status_of},
};

/// The label that ties a secret to its service (by name: the service's id is not known yet
/// when its first secrets are made).
pub const LABEL_SERVICE: &str = "service";
/// Swarm's limit on a secret's name.
const NAME_MAX: usize = 64;
/// Readable by the image's user, whoever it is (65532 in ours): only the container sees it.
const FILE_MODE: u32 = 0o444;

/// `<service>.<variable>.<hash>`, at most 64 characters. The hash covers the service's name,
/// the variable and the value: a new value is a new name, and two services never share one.
/// Cutting a long service name keeps it unique (the hash still covers all of it).
#[must_use]
pub fn secret_name(service: &str, variable: &str, value: &SecretString) -> String {
    let mut h = Sha256::new();
    for part in [service, variable, value.expose_secret()] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    let hash: String = h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let variable = variable.to_lowercase();
    let room = NAME_MAX.saturating_sub(variable.len() + hash.len() + 2);
    let service: String = service.chars().take(room).collect();
    format!("{service}.{variable}.{hash}")
}

/// Makes (or finds, for a worker killed half-way) the secrets of `service` and returns their
/// mounts: `/run/secrets/<VARIABLE>` (`service::secret_path`).
pub async fn ensure(
    docker: &Docker,
    service: &str,
    labels: &HashMap<String, String>,
    secrets: &[(String, SecretString)],
) -> Result<Vec<TaskSpecContainerSpecSecrets>, RuntimeError> {
    let mut mounts = Vec::with_capacity(secrets.len());
    for (variable, value) in secrets {
        let name = secret_name(service, variable, value);
        let mut labels = labels.clone();
        labels.insert(LABEL_SERVICE.to_owned(), service.to_owned());
        let spec = SecretSpec {
            name: Some(name.clone()),
            labels: Some(labels),
            data: Some(base64::engine::general_purpose::STANDARD.encode(value.expose_secret())),
            ..SecretSpec::default()
        };
        let id = match docker.create_secret(spec).await {
            Ok(created) => created.id,
            // Made by an earlier attempt: the name says its content is the same.
            Err(e) if status_of(&e) == Some(409) => docker
                .inspect_secret(&name)
                .await
                .map_err(engine_error)?
                .id
                .unwrap_or_default(),
            Err(e) => return Err(engine_error(e)),
        };
        mounts.push(TaskSpecContainerSpecSecrets {
            file: Some(TaskSpecContainerSpecFile {
                // The file `service::secret_path` names.
                name: Some(variable.clone()),
                uid: Some("0".to_owned()),
                gid: Some("0".to_owned()),
                mode: Some(FILE_MODE),
            }),
            secret_id: Some(id),
            secret_name: Some(name),
        });
    }
    Ok(mounts)
}

/// Removes the secrets of `service` except those named in `keep`. One still in use by a task
/// stays, to be removed next time.
pub async fn remove_unused(
    docker: &Docker,
    service: &str,
    keep: &BTreeSet<String>,
) -> Result<(), RuntimeError> {
    let filters = HashMap::from([("label", vec![format!("{LABEL_SERVICE}={service}")])]);
    let options = ListSecretsOptionsBuilder::new().filters(&filters).build();
    let found = docker
        .list_secrets(Some(options))
        .await
        .map_err(engine_error)?;
    for secret in found {
        let name = secret.spec.and_then(|s| s.name).unwrap_or_default();
        if keep.contains(&name) {
            continue;
        }
        let Some(id) = secret.id else { continue };
        match docker.delete_secret(&id).await {
            Ok(()) => tracing::debug!(secret = %name, "removed a secret no configuration uses"),
            Err(e) if status_of(&e) == Some(404) => {}
            Err(e) => tracing::warn!(secret = %name, error = %e, "cannot remove a secret yet"),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_changes_with_the_value_and_fits_swarms_limit() {
        let a = SecretString::from("123:a".to_owned());
        let b = SecretString::from("123:b".to_owned());
        let name = secret_name("tenant-7", "BOT_TOKEN", &a);
        assert!(name.starts_with("tenant-7.bot_token."), "{name}");
        assert!(!name.contains("123"), "{name}");
        assert_eq!(name, secret_name("tenant-7", "BOT_TOKEN", &a));
        assert_ne!(name, secret_name("tenant-7", "BOT_TOKEN", &b));
        assert_ne!(name, secret_name("tenant-8", "BOT_TOKEN", &a));

        let long = "a-very-long-platform-label-for-a-staging-swarm-tenant-123456789";
        let cut = secret_name(long, "DATABASE_URL", &a);
        assert!(cut.len() <= NAME_MAX, "{cut}");
        assert_ne!(cut, secret_name(&format!("{long}0"), "DATABASE_URL", &a));
    }
}
