//! `cargo xtask bench ramp`: the highest sustained chat message rate before the time from a visitor's
//! send to the agent's console passes 100 ms at the 99th percentile, for SQLite (one node) and for
//! PostgreSQL (two nodes, visitors on one, the console on the other), side by side. Each step is a
//! number of conversations sending one message a second each, on fresh servers and a fresh copy of one
//! seeded database; the ramp stops at the first step over the limit. A lost message fails the run.

use crate::build::{Server, free_port, live_binaries, start_node, test_config};
use crate::{Result, run, target_dir};
use std::path::Path;
use std::process::Command;

/// Conversations (= messages a second) of each step.
const STEPS: [usize; 6] = [1_000, 2_000, 3_000, 4_000, 6_000, 8_000];
const STEP_SECONDS: u64 = 10;
const P99_LIMIT_MS: f64 = 100.0;
/// How long after a step's last send its messages may still arrive (late, not lost).
const GRACE_SECS: &str = "30";
/// The generator's visitors are sessions from 200 on (the first are its warm-up's).
const SEEDED_SESSIONS: usize = 8_500;

/// What one step measured, from the generator's `RAMP` line.
#[derive(Debug, Default)]
struct Step {
    conversations: usize,
    sent: usize,
    median_ms: f64,
    p99_ms: f64,
    late: usize,
    lost: usize,
}

impl Step {
    fn parse(output: &str) -> Option<Step> {
        let line = output.lines().find_map(|l| l.strip_prefix("RAMP "))?;
        let mut step = Step::default();
        for pair in line.split_whitespace() {
            let (key, value) = pair.split_once('=')?;
            match key {
                "conversations" => step.conversations = value.parse().ok()?,
                "sent" => step.sent = value.parse().ok()?,
                "median_ms" => step.median_ms = value.parse().ok()?,
                "p99_ms" => step.p99_ms = value.parse().ok()?,
                "late" => step.late = value.parse().ok()?,
                "lost" => step.lost = value.parse().ok()?,
                _ => {}
            }
        }
        Some(step)
    }

    fn within(&self) -> bool {
        self.p99_ms <= P99_LIMIT_MS && self.lost == 0
    }

    fn describe(&self) -> String {
        format!(
            "{}/s: median {:.2} ms, p99 {:.2} ms, {} late, {} lost of {}",
            self.conversations, self.median_ms, self.p99_ms, self.late, self.lost, self.sent
        )
    }
}

/// Runs the generator's `active` phase; its figures whatever its exit status (over budget is a figure).
fn measure(generator: &Path, base: &str, console: Option<&str>, conversations: usize) -> Result<Step> {
    let mut command = Command::new(generator);
    command.args(["active", base, &conversations.to_string(), &STEP_SECONDS.to_string()]);
    command.args(console).env("LIVE_LOAD_GRACE_SECS", GRACE_SECS);
    let out = command.output().map_err(|e| format!("cannot run the load generator: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    Step::parse(&text).ok_or_else(|| {
        format!("the generator gave no figures at {conversations}/s: {text}{}", String::from_utf8_lossy(&out.stderr))
    })
}

/// Steps up until one is over the limit; prints each and returns the highest within it (0 if none).
fn climb(name: &str, mut step_at: impl FnMut(usize) -> Result<Step>) -> Result<usize> {
    let mut highest = 0;
    for conversations in STEPS {
        let step = step_at(conversations)?;
        println!("BENCH ramp {name}: {}", step.describe());
        if step.lost > 0 {
            return Err(format!("{name}: {} messages lost at {conversations}/s", step.lost));
        }
        if !step.within() {
            break;
        }
        highest = conversations;
    }
    Ok(highest)
}

pub fn ramp() -> Result {
    let (generator, server_binary) = live_binaries()?;
    let work = target_dir().join("bench-ramp");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let sessions = SEEDED_SESSIONS.to_string();

    let seeded = work.join("seed.db");
    run(Command::new(&generator).args(["seed", &format!("sqlite://{}", seeded.display()), &sessions]))?;
    let sqlite = climb("SQLite, one node", |conversations| {
        let step = work.join(format!("sqlite-{conversations}"));
        std::fs::create_dir_all(&step).map_err(|e| e.to_string())?;
        for suffix in ["", "-wal", "-shm"] {
            let from = format!("{}{suffix}", seeded.display());
            if Path::new(&from).exists() {
                std::fs::copy(&from, step.join(format!("e2e.db{suffix}"))).map_err(|e| e.to_string())?;
            }
        }
        let database = format!("sqlite://{}", step.join("e2e.db").display());
        let (server, base): (Server, String) =
            start_node(&test_config(&step, None)?, &step, &server_binary, free_port()?, &database, &[])?;
        let measured = measure(&generator, &base, None, conversations);
        drop(server);
        measured
    });

    let postgres = crate::postgres::TestPostgres::start_durable()?;
    postgres.create_database("seeded")?;
    run(Command::new(&generator).args(["seed", &format!("{}/seeded", postgres.url()), &sessions]))?;
    let two_nodes = climb("PostgreSQL, two nodes", |conversations| {
        let name = format!("ramp_{conversations}");
        postgres.copy_database("seeded", &name)?;
        let database = format!("{}/{name}", postgres.url());
        let step = work.join(&name);
        std::fs::create_dir_all(&step).map_err(|e| e.to_string())?;
        let config = test_config(&step, None)?;
        let (node_a, base_a) = start_node(&config, &step, &server_binary, free_port()?, &database, &[])?;
        let (node_b, base_b) = start_node(&config, &step, &server_binary, free_port()?, &database, &[])?;
        let measured = measure(&generator, &base_a, Some(&base_b), conversations);
        drop((node_a, node_b));
        measured
    });

    let (sqlite, two_nodes) = (sqlite?, two_nodes?);
    println!(
        "BENCH ramp: highest sustained rate with p99 <= {P99_LIMIT_MS} ms (steps of {STEP_SECONDS} s): \
         SQLite one node {sqlite} messages/s, PostgreSQL two nodes {two_nodes} messages/s"
    );
    if sqlite < STEPS[0] || two_nodes < STEPS[0] {
        return Err(format!("the ramp's first step ({}/s, the budgeted load) is over the limit", STEPS[0]));
    }
    Ok(())
}
