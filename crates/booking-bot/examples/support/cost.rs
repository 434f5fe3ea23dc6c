//! What a press costs the servers behind the bot: PostgreSQL statements (from
//! `pg_stat_statements`) and server CPU (from `/proc` of the cluster's processes), Redis
//! commands (from `INFO commandstats`), and the bot's own CPU. A [`Snapshot`] is taken before
//! and after the load; [`Cost::between`] prints the difference per press.
//!
//! The figures are only the bot's when nothing else uses the same PostgreSQL cluster and Redis:
//! `scripts/bench-bot.sh` starts a cluster and a Redis of the benchmark's own.

use std::{collections::BTreeMap, time::Duration};

use sqlx::{Connection as _, PgConnection, Row as _};

use super::cpu_time;

/// Where the counters are read from.
pub struct Counters {
    /// The cluster's `postgres` database, where `pg_stat_statements` is installed; `None` when
    /// the cluster does not load it.
    pg: Option<PgConnection>,
    /// The test database: only its statements are counted.
    database: String,
    /// The postmaster's pid, when its data directory is known (`BENCH_PG_DATA`).
    postmaster: Option<u32>,
    redis: redis::aio::MultiplexedConnection,
    bot: u32,
}

/// The counters at one moment.
pub struct Snapshot {
    bot_cpu: Duration,
    pg_cpu: BTreeMap<u32, Duration>,
    redis: BTreeMap<String, u64>,
}

impl Counters {
    pub async fn connect(server_url: &str, database: &str, redis_url: &str, bot: u32) -> Self {
        let mut pg = PgConnection::connect(server_url).await.unwrap();
        let loaded = sqlx::query("create extension if not exists pg_stat_statements")
            .execute(&mut pg)
            .await
            .is_ok()
            && sqlx::query("select pg_stat_statements_reset()")
                .execute(&mut pg)
                .await
                .is_ok();
        if !loaded {
            eprintln!(
                "pg_stat_statements is not loaded on {server_url}: statements not counted \
                 (run scripts/bench-bot.sh)"
            );
        }
        let postmaster = std::env::var("BENCH_PG_DATA").ok().and_then(|dir| {
            std::fs::read_to_string(format!("{dir}/postmaster.pid"))
                .ok()?
                .lines()
                .next()?
                .trim()
                .parse()
                .ok()
        });
        let redis = redis::Client::open(redis_url)
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap();
        Self {
            pg: loaded.then_some(pg),
            database: database.to_owned(),
            postmaster,
            redis,
            bot,
        }
    }

    /// Starts counting statements from zero.
    pub async fn reset(&mut self) {
        if let Some(pg) = &mut self.pg {
            sqlx::query("select pg_stat_statements_reset()")
                .execute(pg)
                .await
                .unwrap();
        }
    }

    pub async fn snapshot(&mut self) -> Snapshot {
        let info: String = redis::cmd("INFO")
            .arg("commandstats")
            .query_async(&mut self.redis)
            .await
            .unwrap();
        Snapshot {
            bot_cpu: cpu_time(self.bot),
            pg_cpu: self.postmaster.map(cluster_cpu).unwrap_or_default(),
            redis: commandstats(&info),
        }
    }

    /// Prints the cost per press between two snapshots, and the statements run meanwhile.
    pub async fn report(&mut self, before: &Snapshot, after: &Snapshot, presses: usize) {
        let per = |n: f64| n / presses.max(1) as f64;
        let bot = after.bot_cpu.saturating_sub(before.bot_cpu);
        println!(
            "bot CPU:           {:.3} ms a press",
            per(bot.as_secs_f64() * 1e3)
        );
        if self.postmaster.is_some() {
            // Backends alive at both moments count their difference; ones started meanwhile
            // count whole; ones that ended meanwhile are lost (the bot's pool keeps its
            // connections, so that is rare).
            let pg: Duration = after
                .pg_cpu
                .iter()
                .map(|(pid, t)| {
                    t.saturating_sub(before.pg_cpu.get(pid).copied().unwrap_or_default())
                })
                .sum();
            println!(
                "PostgreSQL CPU:    {:.3} ms a press (every process of the cluster)",
                per(pg.as_secs_f64() * 1e3)
            );
        }
        let redis: u64 = after
            .redis
            .iter()
            .filter(|(cmd, _)| !matches!(cmd.as_str(), "info" | "config" | "hello" | "client"))
            .map(|(cmd, n)| n - before.redis.get(cmd).copied().unwrap_or(0))
            .sum();
        let by_command: Vec<String> = after
            .redis
            .iter()
            .filter_map(|(cmd, n)| {
                let d = n - before.redis.get(cmd).copied().unwrap_or(0);
                (d > 0 && cmd != "info").then(|| format!("{cmd} {:.2}", per(d as f64)))
            })
            .collect();
        println!(
            "Redis commands:    {:.2} a press ({})",
            per(redis as f64),
            by_command.join(", ")
        );
        let Some(pg) = &mut self.pg else { return };
        let rows = sqlx::query(
            "select s.calls, s.total_exec_time, s.query from pg_stat_statements s \
               join pg_database d on d.oid = s.dbid \
              where d.datname = $1 order by s.calls desc",
        )
        .bind(&self.database)
        .fetch_all(pg)
        .await
        .unwrap();
        let calls: i64 = rows.iter().map(|r| r.get::<i64, _>(0)).sum();
        let exec: f64 = rows.iter().map(|r| r.get::<f64, _>(1)).sum();
        println!(
            "PostgreSQL:        {:.2} statements a press, {:.3} ms executing a press",
            per(calls as f64),
            per(exec)
        );
        if std::env::var("BENCH_STATEMENTS").is_ok() {
            for r in &rows {
                let query: String = r.get(2);
                let query: String = query.split_whitespace().collect::<Vec<_>>().join(" ");
                println!(
                    "  {:>6.3}  {}",
                    per(r.get::<i64, _>(0) as f64),
                    query.chars().take(150).collect::<String>()
                );
            }
        }
    }
}

/// CPU time of the postmaster and each of its children, by pid.
fn cluster_cpu(postmaster: u32) -> BTreeMap<u32, Duration> {
    let mut out = BTreeMap::new();
    out.insert(postmaster, cpu_time(postmaster));
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for entry in dir.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let Some(close) = stat.rfind(')') else {
            continue;
        };
        // Field 4 of the line, the second after the command: the parent's pid.
        let fields: Vec<&str> = stat[close + 2..].split(' ').collect();
        if fields.get(1).and_then(|p| p.parse().ok()) == Some(postmaster) {
            // utime and stime, in USER_HZ (see `cpu_time`).
            let ticks = |n: usize| fields.get(n).and_then(|t| t.parse::<u64>().ok());
            if let (Some(user), Some(system)) = (ticks(11), ticks(12)) {
                out.insert(pid, Duration::from_millis((user + system) * 10));
            }
        }
    }
    out
}

/// `cmdstat_get:calls=12,...` lines: calls by command.
fn commandstats(info: &str) -> BTreeMap<String, u64> {
    info.lines()
        .filter_map(|line| {
            let (name, rest) = line.strip_prefix("cmdstat_")?.split_once(':')?;
            let calls = rest
                .strip_prefix("calls=")?
                .split(',')
                .next()?
                .parse()
                .ok()?;
            Some((name.to_owned(), calls))
        })
        .collect()
}
