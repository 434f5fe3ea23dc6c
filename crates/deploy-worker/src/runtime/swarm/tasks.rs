//! A service and its tasks, reduced to what reconciliation decides on.
//!
//! Swarm runs a service's replica as a task, and makes a new task for each restart and each
//! update; a task reaches `running` only once its container's health check has passed (the
//! executor waits for `health_status: healthy`). So a bot "runs" when one of its tasks is
//! running and meant to; it has "exited" when its newest task ended, or when a task has failed
//! since the service last changed (Swarm is between two restarts of a crashing bot, as a
//! `restarting` container is on the Docker engine).

use bollard::models::{Service, ServiceUpdateStatusStateEnum, Task, TaskState};
use chrono::{DateTime, Utc};

use crate::{
    runtime::{ContainerId, ContainerInfo, RunState, UpdateProgress, UpdateState},
    spec::LABEL_CONFIG_HASH,
};

fn time(s: Option<&String>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn state(task: &Task) -> Option<TaskState> {
    task.status.as_ref()?.state
}

/// The task ended: it will not run again (Swarm makes a new task instead).
fn ended(task: &Task) -> bool {
    matches!(
        state(task),
        Some(
            TaskState::COMPLETE
                | TaskState::SHUTDOWN
                | TaskState::FAILED
                | TaskState::REJECTED
                | TaskState::REMOVE
                | TaskState::ORPHANED
        )
    )
}

fn failed(task: &Task) -> bool {
    matches!(state(task), Some(TaskState::FAILED | TaskState::REJECTED))
}

/// Running, and meant to: a task being shut down is not the bot any more.
pub fn serving(task: &Task) -> bool {
    state(task) == Some(TaskState::RUNNING) && task.desired_state == Some(TaskState::RUNNING)
}

/// On its way to running or running, and meant to.
pub fn live(task: &Task) -> bool {
    !ended(task) && task.desired_state == Some(TaskState::RUNNING)
}

/// The replicas the service asks for (1 when it does not say).
pub fn replicas(service: &Service) -> i64 {
    service
        .spec
        .as_ref()
        .and_then(|s| s.mode.as_ref())
        .and_then(|m| m.replicated.as_ref())
        .and_then(|r| r.replicas)
        .unwrap_or(1)
}

fn newest<'a>(tasks: impl Iterator<Item = &'a Task>) -> Option<&'a Task> {
    tasks.max_by_key(|t| time(t.created_at.as_ref()))
}

/// A task as a container: its exit code and the engine's error.
fn task_info(task: &Task) -> ContainerInfo {
    let status = task.status.clone().unwrap_or_default();
    ContainerInfo {
        id: ContainerId(task.id.clone().unwrap_or_default()),
        name: task.name.clone().unwrap_or_default(),
        labels: std::collections::BTreeMap::new(),
        state: if serving(task) {
            RunState::Running
        } else {
            RunState::Exited
        },
        exit_code: status.container_status.and_then(|c| c.exit_code),
        restart_count: 0,
        error: status.err.filter(|e| !e.is_empty()),
    }
}

/// `service` as a container, from its tasks (those of other services are ignored).
pub fn info(service: &Service, all_tasks: &[Task]) -> ContainerInfo {
    let id = service.id.clone().unwrap_or_default();
    let tasks: Vec<&Task> = all_tasks
        .iter()
        .filter(|t| t.service_id.as_deref() == Some(id.as_str()))
        .collect();
    let spec = service.spec.clone().unwrap_or_default();
    let changed = time(service.updated_at.as_ref());
    let failed_since_change =
        newest(tasks.iter().copied().filter(|t| {
            failed(t) && (changed.is_none() || time(t.created_at.as_ref()) >= changed)
        }));
    let last = newest(tasks.iter().copied());
    let run_state = if tasks.iter().any(|t| serving(t)) {
        RunState::Running
    } else if replicas(service) == 0 {
        if tasks.is_empty() {
            RunState::Created
        } else {
            RunState::Exited
        }
    } else if last.is_some_and(ended) || failed_since_change.is_some() {
        RunState::Exited
    } else {
        let on_its_way = last
            .and_then(state)
            .map_or("pending".to_owned(), |s| s.to_string());
        RunState::Other(on_its_way)
    };
    let why = failed_since_change.or(last.filter(|t| ended(t)));
    let why = why.map(task_info);
    // A task on its way says what it waits for ("no suitable node (...)").
    let waiting = matches!(run_state, RunState::Other(_))
        .then(|| last.and_then(|t| t.status.as_ref()?.err.clone()))
        .flatten()
        .filter(|e| !e.is_empty());
    ContainerInfo {
        id: ContainerId(id),
        name: spec.name.unwrap_or_default(),
        labels: spec.labels.unwrap_or_default().into_iter().collect(),
        state: run_state,
        exit_code: why.as_ref().and_then(|w| w.exit_code),
        // Swarm keeps a few ended tasks per replica (5 by default): the count stops growing
        // there, which is enough to see a restart during a health check.
        restart_count: i64::try_from(tasks.iter().filter(|t| failed(t)).count()).unwrap_or(0),
        error: why.and_then(|w| w.error).or(waiting),
    }
}

/// The service's `UpdateStatus`, and the task whose failure made Swarm roll back.
pub fn progress(service: &Service, all_tasks: &[Task]) -> UpdateProgress {
    let status = service.update_status.clone().unwrap_or_default();
    let state = match status.state {
        None | Some(ServiceUpdateStatusStateEnum::EMPTY) => UpdateState::Idle,
        Some(ServiceUpdateStatusStateEnum::UPDATING) => UpdateState::Updating,
        Some(ServiceUpdateStatusStateEnum::COMPLETED) => UpdateState::Completed,
        Some(ServiceUpdateStatusStateEnum::ROLLBACK_STARTED) => UpdateState::RollingBack,
        Some(ServiceUpdateStatusStateEnum::ROLLBACK_COMPLETED) => UpdateState::RolledBack,
        Some(
            ServiceUpdateStatusStateEnum::PAUSED | ServiceUpdateStatusStateEnum::ROLLBACK_PAUSED,
        ) => UpdateState::Paused,
    };
    let message = status.message.unwrap_or_default();
    let id = service.id.as_deref();
    let failures: Vec<&Task> = all_tasks
        .iter()
        .filter(|t| t.service_id.as_deref() == id && failed(t))
        .collect();
    // Swarm names the task in the message while it rolls back ("... early termination of task
    // <id>"); once done, the status (and its start time) is the rollback's, and the failed
    // task is the newest of another configuration than the one the service has again.
    let named_id = message
        .rsplit_once("of task ")
        .map(|(_, task)| task.trim().to_owned())
        .filter(|task| !task.is_empty());
    let named = named_id.as_deref().and_then(|id| {
        failures
            .iter()
            .copied()
            .find(|t| t.id.as_deref() == Some(id))
    });
    let began = time(status.started_at.as_ref());
    let since_began = || {
        newest(
            failures
                .iter()
                .copied()
                .filter(|t| began.is_some() && time(t.created_at.as_ref()) >= began),
        )
    };
    let current = config_hash(service.spec.as_ref().and_then(|s| s.task_template.as_ref()));
    let other_configuration = || {
        newest(
            failures
                .iter()
                .copied()
                .filter(|t| current.is_some() && config_hash(t.spec.as_ref()) != current),
        )
    };
    let failed = named
        .or_else(since_began)
        .or_else(|| {
            (state == UpdateState::RolledBack)
                .then(other_configuration)
                .flatten()
        })
        .map(task_info)
        // Named, but already deleted by the rollback: its id still finds its output.
        .or_else(|| {
            named_id.map(|id| ContainerInfo {
                id: ContainerId(id),
                name: String::new(),
                labels: std::collections::BTreeMap::new(),
                state: RunState::Exited,
                exit_code: None,
                restart_count: 0,
                error: None,
            })
        });
    UpdateProgress {
        state,
        message,
        failed,
    }
}

/// The configuration a task (or a service's template) was made from.
fn config_hash(task: Option<&bollard::models::TaskSpec>) -> Option<&String> {
    task?
        .container_spec
        .as_ref()?
        .labels
        .as_ref()?
        .get(LABEL_CONFIG_HASH)
}

#[cfg(test)]
mod tests {
    use bollard::models::{
        ContainerStatus, ServiceSpec, ServiceSpecMode, ServiceSpecModeReplicated, TaskStatus,
    };

    use super::*;

    fn service(replicas: i64) -> Service {
        Service {
            id: Some("s1".to_owned()),
            updated_at: Some("2026-12-06T10:00:00.5Z".to_owned()),
            spec: Some(ServiceSpec {
                name: Some("tenant-1".to_owned()),
                mode: Some(ServiceSpecMode {
                    replicated: Some(ServiceSpecModeReplicated {
                        replicas: Some(replicas),
                    }),
                    ..ServiceSpecMode::default()
                }),
                ..ServiceSpec::default()
            }),
            ..Service::default()
        }
    }

    fn task(id: &str, created: &str, state: TaskState, desired: TaskState, exit: i64) -> Task {
        Task {
            id: Some(id.to_owned()),
            service_id: Some("s1".to_owned()),
            created_at: Some(created.to_owned()),
            desired_state: Some(desired),
            status: Some(TaskStatus {
                state: Some(state),
                err: (exit != 0).then(|| format!("task: non-zero exit ({exit})")),
                container_status: Some(ContainerStatus {
                    exit_code: Some(exit),
                    ..ContainerStatus::default()
                }),
                ..TaskStatus::default()
            }),
            ..Task::default()
        }
    }

    #[test]
    fn a_running_task_is_a_running_bot_whatever_failed_before() {
        let tasks = [
            task(
                "a",
                "2026-12-06T10:00:01Z",
                TaskState::FAILED,
                TaskState::SHUTDOWN,
                1,
            ),
            task(
                "b",
                "2026-12-06T10:00:03Z",
                TaskState::RUNNING,
                TaskState::RUNNING,
                0,
            ),
        ];
        let info = info(&service(1), &tasks);
        assert_eq!(info.state, RunState::Running);
        assert_eq!(info.restart_count, 1);
        assert_eq!(info.name, "tenant-1");
    }

    #[test]
    fn a_bot_between_two_restarts_has_exited_with_its_code() {
        // Fractions of a second of different lengths still order correctly.
        let tasks = [
            task(
                "a",
                "2026-12-06T10:00:01.25Z",
                TaskState::FAILED,
                TaskState::SHUTDOWN,
                1,
            ),
            task(
                "b",
                "2026-12-06T10:00:02Z",
                TaskState::READY,
                TaskState::RUNNING,
                0,
            ),
        ];
        let info = info(&service(1), &tasks);
        assert_eq!(info.state, RunState::Exited);
        assert_eq!(info.exit_code, Some(1));
        assert_eq!(info.error.as_deref(), Some("task: non-zero exit (1)"));

        // A failure from before the last change does not count; the new task is on its way.
        let old = [
            task(
                "a",
                "2026-12-06T09:00:00Z",
                TaskState::FAILED,
                TaskState::SHUTDOWN,
                1,
            ),
            task(
                "b",
                "2026-12-06T10:00:02Z",
                TaskState::STARTING,
                TaskState::RUNNING,
                0,
            ),
        ];
        assert_eq!(info_state(&old), RunState::Other("starting".to_owned()));
    }

    fn info_state(tasks: &[Task]) -> RunState {
        info(&service(1), tasks).state
    }

    #[test]
    fn no_replica_is_created_or_stopped() {
        assert_eq!(info(&service(0), &[]).state, RunState::Created);
        let stopping = [task(
            "a",
            "2026-12-06T10:00:01Z",
            TaskState::RUNNING,
            TaskState::SHUTDOWN,
            0,
        )];
        assert_eq!(info(&service(0), &stopping).state, RunState::Exited);
    }

    #[test]
    fn a_rollback_names_the_task_that_failed_after_the_update_began() {
        let mut s = service(1);
        s.update_status = Some(bollard::models::ServiceUpdateStatus {
            state: Some(ServiceUpdateStatusStateEnum::ROLLBACK_COMPLETED),
            started_at: Some("2026-12-06T10:00:05Z".to_owned()),
            message: Some("rollback completed".to_owned()),
            ..Default::default()
        });
        let tasks = [
            task(
                "old",
                "2026-12-06T10:00:01Z",
                TaskState::FAILED,
                TaskState::SHUTDOWN,
                3,
            ),
            task(
                "new",
                "2026-12-06T10:00:06Z",
                TaskState::FAILED,
                TaskState::SHUTDOWN,
                2,
            ),
            task(
                "kept",
                "2026-12-06T10:00:02Z",
                TaskState::RUNNING,
                TaskState::RUNNING,
                0,
            ),
        ];
        let p = progress(&s, &tasks);
        assert_eq!(p.state, UpdateState::RolledBack);
        assert_eq!(p.message, "rollback completed");
        let failed = p.failed.unwrap();
        assert_eq!((failed.id.0.as_str(), failed.exit_code), ("new", Some(2)));
        assert_eq!(progress(&service(1), &tasks).state, UpdateState::Idle);
    }

    fn with_hash(mut task: Task, hash: &str) -> Task {
        task.spec = Some(bollard::models::TaskSpec {
            container_spec: Some(bollard::models::TaskSpecContainerSpec {
                labels: Some([(LABEL_CONFIG_HASH.to_owned(), hash.to_owned())].into()),
                ..Default::default()
            }),
            ..Default::default()
        });
        task
    }

    #[test]
    fn after_a_rollback_the_failed_task_is_the_one_swarm_named_or_of_the_other_configuration() {
        let mut s = service(1);
        if let Some(spec) = s.spec.as_mut() {
            spec.task_template = with_hash(Task::default(), "old").spec;
        }
        // The rollback's own start, after the failed task was made.
        let status = |state, message: &str| bollard::models::ServiceUpdateStatus {
            state: Some(state),
            started_at: Some("2026-12-06T10:00:09Z".to_owned()),
            message: Some(message.to_owned()),
            ..Default::default()
        };
        let tasks = [
            with_hash(
                task(
                    "older",
                    "2026-12-06T09:00:00Z",
                    TaskState::FAILED,
                    TaskState::SHUTDOWN,
                    1,
                ),
                "old",
            ),
            with_hash(
                task(
                    "z5dn",
                    "2026-12-06T10:00:06Z",
                    TaskState::FAILED,
                    TaskState::SHUTDOWN,
                    2,
                ),
                "new",
            ),
        ];
        s.update_status = Some(status(
            ServiceUpdateStatusStateEnum::ROLLBACK_STARTED,
            "update rolled back due to failure or early termination of task z5dn",
        ));
        assert_eq!(progress(&s, &tasks).failed.unwrap().id.0, "z5dn");
        let deleted = progress(&s, &tasks[..1]).failed.unwrap();
        assert_eq!((deleted.id.0.as_str(), deleted.exit_code), ("z5dn", None));
        s.update_status = Some(status(
            ServiceUpdateStatusStateEnum::ROLLBACK_COMPLETED,
            "rollback completed",
        ));
        let p = progress(&s, &tasks);
        assert_eq!(p.state, UpdateState::RolledBack);
        assert_eq!(p.failed.unwrap().id.0, "z5dn");
    }
}
