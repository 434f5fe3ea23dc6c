//! A second Swarm node on this machine, made and removed by the test that needs it: a dockerd in
//! a network namespace of its own, joined to the swarm of `scripts/swarm.sh` as a worker.
//!
//! Nothing reaches a real network. The namespace talks to the host over one veth pair with
//! addresses in 10.200.0.0/16 that exist only on that pair. The manager listens and advertises
//! on 127.0.0.1 (`scripts/swarm.sh`), and PostgreSQL and Redis listen there too: each of their
//! ports is forwarded from the namespace's loopback over the pair to the host's loopback (a
//! forwarder on each side; the host's listens only on the pair's address), so the node reaches
//! the manager, and a bot placed on it reaches its database, at the addresses they are given.

use std::{
    os::unix::process::CommandExt as _,
    path::PathBuf,
    process::{Child, Command, Stdio},
};

use bollard::{
    models::{NodeSpec, NodeSpecAvailabilityEnum, SwarmJoinRequest},
    query_parameters::{
        DeleteNodeOptionsBuilder, LeaveSwarmOptionsBuilder, UpdateNodeOptionsBuilder,
    },
};
use deploy_worker::runtime::client::EngineClient;

use crate::support::{eventually, images};

const MANAGER_PORT: u16 = 2377;
/// Forwarded into the namespace from the host's loopback: the manager, PostgreSQL, Redis.
const FORWARDED: [u16; 3] = [MANAGER_PORT, 5432, 6379];

pub struct SecondNode {
    pub id: String,
    name: String,
    dir: PathBuf,
    veth: String,
    processes: Vec<Child>,
    /// The node's own engine (its socket exists once its dockerd runs).
    engine: Option<EngineClient>,
    manager: EngineClient,
    /// Labels this test put on the manager's node, removed at the end.
    manager_labels: Vec<String>,
}

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e} (scripts/swarm.sh installs what is needed)"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Starts `program` in its own process group (socat forks a child per connection: the group
/// goes as a whole), its output to `log`.
fn spawn(program: &str, args: &[&str], log: &PathBuf) -> Child {
    let log = std::fs::File::create(log).unwrap();
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .current_dir("/")
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("{program}: {e} (scripts/swarm.sh installs what is needed)"))
}

impl SecondNode {
    /// A second node, joined to the swarm managed at `manager`, with the test images imported.
    pub async fn start(manager: EngineClient) -> Self {
        let tag = &uuid::Uuid::new_v4().simple().to_string()[..6];
        let subnet = u8::from_str_radix(&tag[..2], 16).unwrap();
        let (host_ip, node_ip) = (format!("10.200.{subnet}.1"), format!("10.200.{subnet}.2"));
        let name = format!("swit-{tag}");
        let veth = format!("vs{tag}a");
        let dir = PathBuf::from(format!("/tmp/dkr-node-{tag}"));
        let mut node = Self {
            id: String::new(),
            name: name.clone(),
            dir: dir.clone(),
            veth: veth.clone(),
            processes: Vec::new(),
            engine: None,
            manager,
            manager_labels: Vec::new(),
        };
        std::fs::create_dir_all(&dir).unwrap();
        let peer = format!("vs{tag}b");
        run("ip", &["netns", "add", &name]);
        run(
            "ip",
            &["link", "add", &veth, "type", "veth", "peer", "name", &peer],
        );
        run("ip", &["link", "set", &peer, "netns", &name]);
        run(
            "ip",
            &["addr", "add", &format!("{host_ip}/30"), "dev", &veth],
        );
        run("ip", &["link", "set", &veth, "up"]);
        let in_ns = |args: &[&str]| {
            let mut all = vec!["netns", "exec", name.as_str()];
            all.extend_from_slice(args);
            run("ip", &all);
        };
        in_ns(&["ip", "addr", "add", &format!("{node_ip}/30"), "dev", &peer]);
        in_ns(&["ip", "link", "set", &peer, "up"]);
        in_ns(&["ip", "link", "set", "lo", "up"]);

        // `nsenter --net`, not `ip netns exec`: the latter remounts /sys, which hides the
        // cgroup mounts dockerd needs ("Devices cgroup isn't mounted").
        let netns = format!("--net=/run/netns/{name}");
        let forward = |listen: String, to: String, log: &str| {
            spawn(
                "nsenter",
                &[
                    &netns,
                    "socat",
                    &format!("TCP-LISTEN:{listen},fork,reuseaddr"),
                    &format!("TCP:{to}"),
                ],
                &dir.join(log),
            )
        };
        for port in FORWARDED {
            node.processes.push(forward(
                format!("{port},bind=127.0.0.1"),
                format!("{host_ip}:{port}"),
                &format!("socat-{port}-in.log"),
            ));
            node.processes.push(spawn(
                "socat",
                &[
                    &format!("TCP-LISTEN:{port},bind={host_ip},fork,reuseaddr"),
                    &format!("TCP:127.0.0.1:{port}"),
                ],
                &dir.join(format!("socat-{port}-out.log")),
            ));
        }
        let d = dir.display();
        node.processes.push(spawn(
            "nsenter",
            &[
                &netns,
                "dockerd",
                &format!("--data-root={d}/data"),
                &format!("--exec-root={d}/exec"),
                &format!("--pidfile={d}/docker.pid"),
                &format!("--host=unix://{d}/docker.sock"),
                "--bridge=none",
                "--iptables=false",
                "--ip-masq=false",
                "--no-new-privileges",
                "--storage-driver=overlay2",
            ],
            &dir.join("dockerd.log"),
        ));
        let socket = format!("unix://{d}/docker.sock");
        let up = eventually(30, || async {
            match EngineClient::connect(&socket) {
                Ok(engine) => engine.get().await.is_ok(),
                Err(_) => false,
            }
        })
        .await;
        assert!(up, "the second dockerd did not start: see {d}/dockerd.log");
        let engine = node
            .engine
            .insert(EngineClient::connect(&socket).unwrap())
            .clone();

        let docker = engine.get().await.unwrap();
        let manager_docker = node.manager.get().await.unwrap();
        let token = manager_docker
            .inspect_swarm()
            .await
            .unwrap()
            .join_tokens
            .and_then(|t| t.worker)
            .unwrap();
        docker
            .join_swarm(SwarmJoinRequest {
                listen_addr: Some(format!("{node_ip}:{MANAGER_PORT}")),
                advertise_addr: Some(node_ip.clone()),
                remote_addrs: Some(vec![format!("{host_ip}:{MANAGER_PORT}")]),
                join_token: Some(token),
                ..SwarmJoinRequest::default()
            })
            .await
            .unwrap();
        node.id = docker
            .info()
            .await
            .unwrap()
            .swarm
            .and_then(|s| s.node_id)
            .unwrap();
        images(&engine, &tokio::sync::OnceCell::new()).await;
        node
    }

    /// Sets label `key=on` on node `id`, or removes it; the node's other settings kept.
    async fn set_label(client: &EngineClient, id: &str, key: &str, on: bool) {
        let docker = client.get().await.unwrap();
        let node = docker.inspect_node(id).await.unwrap();
        let mut spec: NodeSpec = node.spec.unwrap_or_default();
        let labels = spec.labels.get_or_insert_default();
        if on {
            labels.insert(key.to_owned(), "on".to_owned());
        } else {
            labels.remove(key);
        }
        let version = node.version.and_then(|v| v.index).unwrap_or(0);
        let options = UpdateNodeOptionsBuilder::new()
            .version(i64::try_from(version).unwrap())
            .build();
        docker.update_node(id, spec, options).await.unwrap();
    }

    /// Labels this node `key=on`.
    pub async fn label(&self, key: &str) {
        Self::set_label(&self.manager, &self.id, key, true).await;
    }

    /// Labels the manager's own node `key=on` (removed when this node goes).
    pub async fn label_manager(&mut self, key: &str) {
        let manager = self.manager_id().await;
        Self::set_label(&self.manager, &manager, key, true).await;
        self.manager_labels.push(key.to_owned());
    }

    pub async fn manager_id(&self) -> String {
        let docker = self.manager.get().await.unwrap();
        docker
            .info()
            .await
            .unwrap()
            .swarm
            .and_then(|s| s.node_id)
            .unwrap()
    }

    /// Drains this node: Swarm moves its tasks to the other nodes.
    pub async fn drain(&self) {
        let docker = self.manager.get().await.unwrap();
        let node = docker.inspect_node(&self.id).await.unwrap();
        let mut spec = node.spec.unwrap_or_default();
        spec.availability = Some(NodeSpecAvailabilityEnum::DRAIN);
        let version = node.version.and_then(|v| v.index).unwrap_or(0);
        let options = UpdateNodeOptionsBuilder::new()
            .version(i64::try_from(version).unwrap())
            .build();
        docker.update_node(&self.id, spec, options).await.unwrap();
    }

    /// Leaves the swarm and removes everything `start` made.
    pub async fn stop(mut self) {
        self.teardown().await;
    }

    async fn teardown(&mut self) {
        for key in std::mem::take(&mut self.manager_labels) {
            let manager = self.manager_id().await;
            Self::set_label(&self.manager, &manager, &key, false).await;
        }
        if let Some(engine) = &self.engine
            && let Ok(docker) = engine.get().await
        {
            let options = LeaveSwarmOptionsBuilder::new().force(true).build();
            let _ = docker.leave_swarm(Some(options)).await;
        }
        if !self.id.is_empty()
            && let Ok(docker) = self.manager.get().await
        {
            let options = DeleteNodeOptionsBuilder::new().force(true).build();
            let _ = docker.delete_node(&self.id, Some(options)).await;
        }
        for mut child in std::mem::take(&mut self.processes).into_iter().rev() {
            // The process group: socat's forked children go with it.
            let _ = Command::new("kill")
                .arg("--")
                .arg(format!("-{}", child.id()))
                .status();
            let _ = child.wait();
        }
        // dockerd bind-mounts its network namespace under its exec root.
        if let Ok(mounts) = std::fs::read_to_string("/proc/self/mounts") {
            for target in mounts
                .lines()
                .filter_map(|l| l.split_whitespace().nth(1))
                .filter(|t| t.starts_with(&*self.dir.to_string_lossy()))
            {
                let _ = Command::new("umount").arg(target).status();
            }
        }
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
        let _ = Command::new("ip")
            .args(["link", "del", &self.veth])
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Drop for SecondNode {
    /// A failed test still removes the node, its processes and its namespace.
    fn drop(&mut self) {
        if self.processes.is_empty() && self.manager_labels.is_empty() && !self.dir.exists() {
            return;
        }
        let mut node = Self {
            id: std::mem::take(&mut self.id),
            name: self.name.clone(),
            dir: self.dir.clone(),
            veth: self.veth.clone(),
            processes: std::mem::take(&mut self.processes),
            engine: self.engine.clone(),
            manager: self.manager.clone(),
            manager_labels: std::mem::take(&mut self.manager_labels),
        };
        std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async {
                    // Clients of this thread's own runtime.
                    node.engine = EngineClient::connect(&format!(
                        "unix://{}/docker.sock",
                        node.dir.display()
                    ))
                    .ok();
                    if let Ok(manager) = EngineClient::connect(node.manager.host()) {
                        node.manager = manager;
                    }
                    node.teardown().await;
                });
        })
        .join()
        .ok();
    }
}
