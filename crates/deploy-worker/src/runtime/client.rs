//! The Engine API client both implementations use: one connection, and the API version agreed
//! with the engine on first use.
//!
//! bollard speaks its newest API version (1.53) unless told otherwise. Podman accepts any
//! version, but Docker refuses one newer than its own ("client version 1.53 is too new.
//! Maximum supported API version is 1.41" from Debian's Docker 20.10), so the version is
//! negotiated once, lazily: the worker starts, and serves its endpoints, with the engine down.

use std::sync::Arc;

use bollard::{Docker, errors::Error};
use tokio::sync::OnceCell;

use super::RuntimeError;

/// A Docker Engine API client whose version is negotiated on first use.
#[derive(Clone, Debug)]
pub struct EngineClient {
    host: String,
    docker: Docker,
    /// Set once `docker` speaks a version the engine accepts (bollard keeps the version
    /// shared between clones of a client, so every clone benefits).
    negotiated: Arc<OnceCell<()>>,
}

impl EngineClient {
    /// Connects lazily to `host` (`unix:///...`, `tcp://...`, `http://...`).
    pub fn connect(host: &str) -> Result<Self, RuntimeError> {
        let docker = if let Some(path) = host.strip_prefix("unix://") {
            Docker::connect_with_unix(path, 120, bollard::API_DEFAULT_VERSION)
        } else {
            Docker::connect_with_http(host, 120, bollard::API_DEFAULT_VERSION)
        }
        .map_err(|e| RuntimeError::Unreachable(format!("{host}: {e}")))?;
        Ok(Self {
            host: host.to_owned(),
            docker,
            negotiated: Arc::new(OnceCell::new()),
        })
    }

    /// Where the engine listens, as configured.
    #[must_use]
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The client, at a version the engine accepts; negotiated on the first call that reaches
    /// the engine (one `/version` request), retried while the engine cannot be reached.
    pub async fn get(&self) -> Result<&Docker, RuntimeError> {
        self.negotiated
            .get_or_try_init(|| async {
                self.docker
                    .clone()
                    .negotiate_version()
                    .await
                    .map(|_| ())
                    .map_err(engine_error)
            })
            .await?;
        Ok(&self.docker)
    }
}

/// An engine failure as the worker sees it: unreachable (retry later) or refused.
pub(crate) fn engine_error(e: Error) -> RuntimeError {
    match e {
        Error::DockerResponseServerError {
            status_code,
            message,
        } => RuntimeError::Engine(format!("{status_code}: {message}")),
        other @ (Error::SocketNotFoundError(_)
        | Error::HyperResponseError { .. }
        | Error::IOError { .. }
        | Error::RequestTimeoutError) => RuntimeError::Unreachable(other.to_string()),
        other => RuntimeError::Engine(other.to_string()),
    }
}

/// The HTTP status of an engine's refusal.
pub(crate) fn status_of(e: &Error) -> Option<u16> {
    match e {
        Error::DockerResponseServerError { status_code, .. } => Some(*status_code),
        _ => None,
    }
}
