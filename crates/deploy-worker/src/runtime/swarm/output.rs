//! The output of a service's tasks, kept as it comes while an update is under way.
//!
//! When Swarm rolls an update back it deletes the failed task, and its container with it,
//! within half a second of the failure: asking for that task's logs afterwards finds nothing.
//! So from the moment an update is asked for, the service's logs are followed, each line with
//! the task that printed it, and the last lines kept here until the update has settled.
//!
//! The task of a line comes only with `details=true`, which bollard's `service_logs` cannot
//! ask for: the request is made with [`Raw`].

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use bytes::{Buf as _, Bytes, BytesMut};
use http_body_util::BodyExt as _;
use hyper::Method;
use tokio::task::AbortHandle;

use super::raw::Raw;

/// Lines kept per service: a failed bot's last words are among the last few.
const KEPT: usize = 200;
/// How long an update waits for the engine to start streaming (it answers with its headers
/// once it follows the service); beyond it the update goes ahead, its output perhaps unseen.
const READY_WAIT: Duration = Duration::from_secs(3);
/// The attribute that names a line's task (`details=true`).
const TASK_ATTR: &str = "com.docker.swarm.task.id=";

type Lines = Arc<Mutex<VecDeque<(String, String)>>>;

/// Followed services' recent output, by service.
#[derive(Clone, Default)]
pub struct Captures {
    services: Arc<Mutex<HashMap<String, (Lines, AbortHandle)>>>,
}

/// Services only: a bot's output may hold what it should not have printed (its token).
impl std::fmt::Debug for Captures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let services = self.services.lock().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("Captures")
            .field("services", &services.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Captures {
    /// Follows the output of `service`'s tasks printed since `since` (Unix seconds, the
    /// engine's clock), replacing an earlier capture, on the engine at `host` speaking API
    /// `version` (`1.41`); returns once the engine follows.
    ///
    /// A time rather than "no old lines" (`tail=0`): a node opens a task's logs when the
    /// subscription reaches it, and a bot that failed at once has exited by then; `tail=0`
    /// would give nothing of it.
    pub async fn start(&self, host: &str, version: &str, service: &str, since: i64) {
        let lines: Lines = Arc::default();
        let kept = Arc::clone(&lines);
        let (host, id) = (host.to_owned(), service.to_owned());
        let (version, path) = (
            version.to_owned(),
            format!("/services/{id}/logs?follow=1&stdout=1&stderr=1&details=1&since={since}"),
        );
        let (ready_tx, ready) = tokio::sync::oneshot::channel::<()>();
        let follow = tokio::spawn(async move {
            let result = async {
                let raw = Raw {
                    host: &host,
                    version: &version,
                };
                let response = raw.request(Method::GET, &path, None).await;
                let _ = ready_tx.send(());
                let response = response.map_err(|e| e.to_string())?;
                if !response.status().is_success() {
                    return Err(format!("the engine answered {}", response.status()));
                }
                let mut body = response.into_body();
                let mut buf = BytesMut::new();
                while let Some(frame) = body.frame().await {
                    if let Ok(data) = frame.map_err(|e| e.to_string())?.into_data() {
                        buf.extend_from_slice(&data);
                    }
                    while let Some(message) = next_message(&mut buf) {
                        let (task, line) = split_details(&String::from_utf8_lossy(&message));
                        let mut kept = kept.lock().unwrap_or_else(PoisonError::into_inner);
                        if kept.len() == KEPT {
                            kept.pop_front();
                        }
                        kept.push_back((task, line));
                    }
                }
                Ok::<_, String>(())
            }
            .await;
            if let Err(e) = result {
                tracing::debug!(service = %id, error = %e, "the service's output is not followed");
            }
        });
        let previous = self
            .services
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(service.to_owned(), (lines, follow.abort_handle()));
        if let Some((_, handle)) = previous {
            handle.abort();
        }
        let _ = tokio::time::timeout(READY_WAIT, ready).await;
    }

    /// The last `n` lines `task` printed, if a capture saw any.
    #[must_use]
    pub fn lines_of(&self, task: &str, n: usize) -> Option<String> {
        let services = self.services.lock().unwrap_or_else(PoisonError::into_inner);
        services.values().find_map(|(lines, _)| {
            let lines = lines.lock().unwrap_or_else(PoisonError::into_inner);
            let of_task: Vec<&str> = lines
                .iter()
                .filter(|(t, _)| t == task)
                .map(|(_, l)| l.as_str())
                .collect();
            (!of_task.is_empty()).then(|| of_task[of_task.len().saturating_sub(n)..].concat())
        })
    }

    /// Stops following `service`.
    pub fn stop(&self, service: &str) {
        let removed = self
            .services
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(service);
        if let Some((_, handle)) = removed {
            handle.abort();
        }
    }
}

/// The next whole message of the Engine API's log stream (an 8-byte header: the stream, three
/// zero bytes, the length in big-endian), taken off `buf`.
fn next_message(buf: &mut BytesMut) -> Option<Bytes> {
    let header: [u8; 8] = buf.get(..8)?.try_into().ok()?;
    let len = u32::from_be_bytes([header[4], header[5], header[6], header[7]]) as usize;
    if buf.len() < 8 + len {
        return None;
    }
    buf.advance(8);
    Some(buf.split_to(len).freeze())
}

/// (task id, line) of a line read with `details=true`: `<attr>=<v>,<attr>=<v> <line>`.
fn split_details(text: &str) -> (String, String) {
    let Some((attrs, line)) = text.split_once(' ') else {
        return (String::new(), text.to_owned());
    };
    let task = attrs
        .split(',')
        .find_map(|a| a.strip_prefix(TASK_ATTR))
        .unwrap_or_default();
    (task.to_owned(), line.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_detailed_line_gives_its_task_and_its_text() {
        let text = "com.docker.swarm.node.id=n1,com.docker.swarm.service.id=s1,\
                    com.docker.swarm.task.id=t1 error: unexpected argument\n";
        assert_eq!(
            split_details(text),
            ("t1".to_owned(), "error: unexpected argument\n".to_owned())
        );
        assert_eq!(split_details("plain"), (String::new(), "plain".to_owned()));
    }

    #[test]
    fn messages_are_cut_from_the_stream_only_when_whole() {
        let mut buf = BytesMut::new();
        buf.extend_from_slice(&[2, 0, 0, 0, 0, 0, 0, 3]);
        buf.extend_from_slice(b"ab");
        assert_eq!(next_message(&mut buf), None);
        buf.extend_from_slice(b"c");
        buf.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 1, b'x']);
        assert_eq!(next_message(&mut buf).as_deref(), Some(&b"abc"[..]));
        assert_eq!(next_message(&mut buf).as_deref(), Some(&b"x"[..]));
        assert!(buf.is_empty());
    }
}
