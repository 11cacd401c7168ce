//! The raw commit rate of a database with the server's durability settings: one
//! single-row INSERT per transaction, SQLite WAL + `synchronous=FULL` (one fsync per
//! commit), PostgreSQL `synchronous_commit=on`. activations/s ÷ this = how close the
//! server gets to the database's own bound.

use std::time::Instant;

use anyhow::{bail, Context};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, SqliteConnection};

/// Runs one SQL batch on a connection of either backend.
type Exec = Box<dyn FnMut(&str) -> anyhow::Result<()>>;

/// Runs `threads` committers of `count` commits each and prints the rate.
pub fn measure(url: &str, count: u32, threads: u32) -> anyhow::Result<()> {
    let threads = threads.max(1);
    let (setup, per_session): (&str, &str) = if url.starts_with("sqlite://") {
        (
            "PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS load_commits (id INTEGER PRIMARY KEY AUTOINCREMENT, t INTEGER NOT NULL, v TEXT NOT NULL);",
            "PRAGMA busy_timeout = 5000; PRAGMA synchronous = FULL;",
        )
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        (
            "CREATE TABLE IF NOT EXISTS load_commits (id BIGSERIAL PRIMARY KEY, t INTEGER NOT NULL, v TEXT NOT NULL);",
            "SET synchronous_commit = on;",
        )
    } else {
        bail!("unsupported database URL {url}");
    };
    let open = |url: &str| -> anyhow::Result<Exec> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            let mut c = SqliteConnection::establish(path).context("open SQLite")?;
            Ok(Box::new(move |sql| Ok(c.batch_execute(sql)?)))
        } else {
            let mut c = PgConnection::establish(url).context("connect PostgreSQL")?;
            Ok(Box::new(move |sql| Ok(c.batch_execute(sql)?)))
        }
    };
    open(url)?(setup)?;
    let start = Instant::now();
    std::thread::scope(|s| -> anyhow::Result<()> {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let open = &open;
                s.spawn(move || -> anyhow::Result<()> {
                    let mut exec = open(url)?;
                    exec(per_session)?;
                    for i in 0..count {
                        // BEGIN IMMEDIATE on SQLite, as Store::write does.
                        let begin = if url.starts_with("sqlite://") {
                            "BEGIN IMMEDIATE;"
                        } else {
                            "BEGIN;"
                        };
                        exec(&format!(
                            "{begin} INSERT INTO load_commits (t, v) VALUES ({t}, 'commit {i}'); COMMIT;"
                        ))?;
                    }
                    Ok(())
                })
            })
            .collect();
        for w in workers {
            w.join()
                .map_err(|_| anyhow::anyhow!("committer panicked"))??;
        }
        Ok(())
    })?;
    let secs = start.elapsed().as_secs_f64();
    let total = f64::from(count) * f64::from(threads);
    println!(
        "commits: threads={threads} commits={total:.0} seconds={secs:.2} commits_per_s={:.0}",
        total / secs
    );
    open(url)?("DROP TABLE load_commits;")?;
    Ok(())
}
