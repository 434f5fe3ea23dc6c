//! The `healthcheck` binary's logic: GET `/health` of the service running in this container, so
//! images need no curl and engines' health checks (or the worker's exec check) run our own code.
//!
//! Std only and blocking: it runs once per check inside a small image, and must not depend on the
//! service's configuration parsing (which the service's own binary does before anything else).
//!
//! The address comes from `HTTP_ADDR`, which an exec'd command inherits from the container. A bot
//! on the host's network is given port 0 (many bots share the host's ports), so its real port is
//! found from the container's main process (pid 1): the listening sockets among its open files.

use std::{
    io::{Read as _, Write as _},
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream},
    path::Path,
    process::ExitCode,
    time::Duration,
};

/// Why a service is not healthy, or cannot be checked.
#[derive(Debug, thiserror::Error)]
pub enum HealthError {
    #[error("HTTP_ADDR `{0}` is not an address")]
    BadAddr(String),
    #[error("no listening socket found for process {0}")]
    NoListener(u32),
    #[error("{addr}: {source}")]
    Io {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("{addr} answered `{status}`")]
    Status { addr: SocketAddr, status: String },
}

/// Each check (connect, write, read) gives up after this long.
const TIMEOUT: Duration = Duration::from_secs(3);
/// The container's main process: the service itself (images run it with no init).
const MAIN_PID: u32 = 1;
/// `HTTP_ADDR` when the environment has none: every service's ops port listens on loopback.
const DEFAULT_ADDR: &str = "127.0.0.1:0";

/// The binary: exits 0 when `/health` answers 200, 1 (naming why on stderr) otherwise.
#[must_use]
pub fn main() -> ExitCode {
    let configured = std::env::var("HTTP_ADDR").unwrap_or_else(|_| DEFAULT_ADDR.to_owned());
    match targets(&configured, Path::new("/proc"), MAIN_PID)
        .and_then(|addrs| first_healthy(&addrs, TIMEOUT))
    {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("unhealthy: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Where to ask: `configured` (`HTTP_ADDR`) made reachable from inside (an unspecified host is
/// asked on loopback); with port 0, every port `pid` listens on.
pub fn targets(configured: &str, proc: &Path, pid: u32) -> Result<Vec<SocketAddr>, HealthError> {
    let addr: SocketAddr = configured
        .trim()
        .parse()
        .map_err(|_| HealthError::BadAddr(configured.to_owned()))?;
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    if addr.port() != 0 {
        return Ok(vec![SocketAddr::new(ip, addr.port())]);
    }
    let ports = listening_ports(proc, pid);
    if ports.is_empty() {
        return Err(HealthError::NoListener(pid));
    }
    Ok(ports.into_iter().map(|p| SocketAddr::new(ip, p)).collect())
}

/// The first of `addrs` whose `/health` answers 200; otherwise the last failure.
pub fn first_healthy(addrs: &[SocketAddr], timeout: Duration) -> Result<SocketAddr, HealthError> {
    let mut last = HealthError::NoListener(MAIN_PID);
    for addr in addrs {
        match check(*addr, timeout) {
            Ok(()) => return Ok(*addr),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// One `GET /health` over HTTP/1.0 (the server closes after answering); healthy on 200.
pub fn check(addr: SocketAddr, timeout: Duration) -> Result<(), HealthError> {
    let io = |source| HealthError::Io { addr, source };
    let mut stream = TcpStream::connect_timeout(&addr, timeout).map_err(io)?;
    stream.set_read_timeout(Some(timeout)).map_err(io)?;
    stream.set_write_timeout(Some(timeout)).map_err(io)?;
    stream
        .write_all(format!("GET /health HTTP/1.0\r\nHost: {addr}\r\n\r\n").as_bytes())
        .map_err(io)?;
    // The status line is all that matters; a slow or endless body is not read.
    let mut head = [0_u8; 64];
    let mut len = 0;
    while len < head.len() {
        let n = stream.read(&mut head[len..]).map_err(io)?;
        if n == 0 {
            break;
        }
        len += n;
        if head[..len].contains(&b'\n') {
            break;
        }
    }
    let text = String::from_utf8_lossy(&head[..len]);
    let status = text.lines().next().unwrap_or_default().trim().to_owned();
    let mut parts = status.split_whitespace();
    match (parts.next(), parts.next()) {
        (Some(version), Some("200")) if version.starts_with("HTTP/") => Ok(()),
        _ => Err(HealthError::Status { addr, status }),
    }
}

/// The TCP ports on which process `pid` listens (IPv4 and IPv6), from `/proc`: the socket
/// inodes among its open files, matched against the kernel's socket tables in LISTEN state.
pub fn listening_ports(proc: &Path, pid: u32) -> Vec<u16> {
    let Ok(fds) = std::fs::read_dir(proc.join(pid.to_string()).join("fd")) else {
        return Vec::new();
    };
    let inodes: Vec<String> = fds
        .filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
        .filter_map(|link| {
            let link = link.to_string_lossy().into_owned();
            Some(link.strip_prefix("socket:[")?.strip_suffix(']')?.to_owned())
        })
        .collect();
    let mut ports = Vec::new();
    for table in ["tcp", "tcp6"] {
        // The process's own view: its network namespace's tables.
        let path = proc.join(pid.to_string()).join("net").join(table);
        if let Ok(text) = std::fs::read_to_string(path) {
            for (port, inode) in listeners(&text) {
                if inodes.contains(&inode) && !ports.contains(&port) {
                    ports.push(port);
                }
            }
        }
    }
    ports
}

/// (port, inode) of every LISTEN line of a `/proc/net/tcp` or `tcp6` table.
fn listeners(table: &str) -> Vec<(u16, String)> {
    const LISTEN: &str = "0A";
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            if cols.get(3) != Some(&LISTEN) {
                return None;
            }
            let port = u16::from_str_radix(cols.get(1)?.rsplit(':').next()?, 16).ok()?;
            Some((port, (*cols.get(9)?).to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::{net::TcpListener, thread};

    use super::*;

    /// A one-shot HTTP server answering `status_line`.
    fn serve_once(status_line: &'static str) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        thread::spawn(move || {
            if let Ok((mut s, _)) = listener.accept() {
                let mut buf = [0_u8; 512];
                let _ = s.read(&mut buf);
                let _ =
                    s.write_all(format!("{status_line}\r\ncontent-length: 2\r\n\r\nok").as_bytes());
            }
        });
        addr
    }

    #[test]
    fn healthy_only_on_200() {
        assert!(check(serve_once("HTTP/1.1 200 OK"), TIMEOUT).is_ok());
        let err = check(serve_once("HTTP/1.1 503 Service Unavailable"), TIMEOUT).unwrap_err();
        assert!(err.to_string().contains("503"), "{err}");
        let err = check(serve_once("garbage 200"), TIMEOUT).unwrap_err();
        assert!(matches!(err, HealthError::Status { .. }), "{err}");
    }

    #[test]
    fn a_closed_port_is_unhealthy() {
        let addr = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        // The listener is dropped: nothing listens there now.
        assert!(matches!(check(addr, TIMEOUT), Err(HealthError::Io { .. })));
    }

    #[test]
    fn a_fixed_port_is_asked_on_loopback_when_the_host_is_unspecified() {
        let none = Path::new("/nonexistent");
        assert_eq!(
            targets("0.0.0.0:8080", none, 1).unwrap(),
            vec!["127.0.0.1:8080".parse().unwrap()]
        );
        assert_eq!(
            targets("[::]:8080", none, 1).unwrap(),
            vec!["[::1]:8080".parse().unwrap()]
        );
        assert_eq!(
            targets("10.0.0.2:81", none, 1).unwrap(),
            vec!["10.0.0.2:81".parse().unwrap()]
        );
        assert!(matches!(
            targets("nonsense", none, 1),
            Err(HealthError::BadAddr(_))
        ));
        assert!(matches!(
            targets("127.0.0.1:0", none, 1),
            Err(HealthError::NoListener(1))
        ));
    }

    #[test]
    fn port_zero_finds_the_port_the_process_really_listens_on() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let me = std::process::id();
        let found = targets("127.0.0.1:0", Path::new("/proc"), me).unwrap();
        assert!(
            found.contains(&SocketAddr::from(([127, 0, 0, 1], port))),
            "{found:?} {port}"
        );
        drop(listener);
        let again = listening_ports(Path::new("/proc"), me);
        assert!(!again.contains(&port), "{again:?} {port}");
    }

    #[test]
    fn only_listen_lines_count() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n\
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0 100 0 0 10 0\n\
   1: 0100007F:C350 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0 20 4 30 10 -1\n";
        assert_eq!(listeners(table), vec![(8080, "4242".to_owned())]);
    }
}
