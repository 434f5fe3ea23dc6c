//! Starting the platform's real binaries in tests.

#![allow(clippy::expect_used, clippy::panic)] // a broken harness should stop the test loudly

/// People in tg-sandbox talking to a bot process.
pub mod chat;

use std::{
    path::PathBuf,
    process::{Child, Command, ExitStatus, Stdio},
    time::{Duration, Instant},
};

/// The path of a workspace binary next to the test executable (`target/<profile>/<name>`).
#[must_use]
pub fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/it-<hash> -> target/<profile>/<name>
    let path = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target dir")
        .join(name);
    assert!(
        path.exists(),
        "{} is missing: build the binaries first with `cargo build --workspace --bins`",
        path.display()
    );
    path
}

/// A free port on loopback (bound and released; good enough on a test machine).
#[must_use]
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A running binary, killed if the test ends without stopping it.
pub struct Service {
    child: Child,
    pub base: String,
    /// How it was started, so a killed one can be started again the same way.
    name: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
    port: u16,
}

impl Service {
    /// Starts `name` with exactly `env` (plus PATH) and waits until `/health` answers.
    pub async fn start(name: &str, args: &[&str], env: &[(&str, String)]) -> Self {
        let port = free_port();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        let child = spawn(name, &args, &env, port);
        let mut service = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            name: name.to_owned(),
            args,
            env,
            port,
        };
        service.wait_healthy(Duration::from_secs(30)).await;
        service
    }

    /// The process id, to check that a service recovered without a restart.
    #[must_use]
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no clean-up, as in a crash or an OOM kill.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the binary again as it was first started (same port, arguments and environment)
    /// and waits until `/health` answers.
    pub async fn restart(&mut self) {
        self.kill();
        self.child = spawn(&self.name, &self.args, &self.env, self.port);
        self.wait_healthy(Duration::from_secs(30)).await;
    }

    /// Sets (or replaces) one variable for the next [`Service::restart`].
    pub fn set_env(&mut self, key: &str, value: String) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_owned(), value));
    }

    async fn wait_healthy(&mut self, timeout: Duration) {
        let started = Instant::now();
        while started.elapsed() < timeout {
            // A binary that refused its configuration has said why on stderr (inherited).
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("{} exited with {status} before it was healthy", self.name);
            }
            if let Ok(r) = reqwest::get(format!("{}/health", self.base)).await
                && r.status().is_success()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{} did not become healthy within {timeout:?}", self.base);
    }

    /// GET a path; returns status and body.
    pub async fn get(&self, path: &str) -> (u16, String) {
        let r = reqwest::get(format!("{}{path}", self.base))
            .await
            .expect("request");
        let status = r.status().as_u16();
        (status, r.text().await.unwrap_or_default())
    }

    /// Sends SIGTERM and waits for the exit status.
    pub async fn terminate(mut self, timeout: Duration) -> ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        assert!(sent.success(), "could not signal {pid}");
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                started.elapsed() < timeout,
                "did not exit within {timeout:?} of SIGTERM"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn spawn(name: &str, args: &[String], env: &[(String, String)], port: u16) -> Child {
    let mut cmd = Command::new(binary(name));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HTTP_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().expect("start the binary")
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
