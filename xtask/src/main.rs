//! `cargo xtask <command>`: the project's chores, so a fresh Debian machine needs only these commands.
//! `demo` builds everything and runs the demo server; `test` installs what is missing and runs every
//! test; `size` reports the shipped bytes against their budgets. No dependencies: it only runs tools.

mod build;
mod checked;
mod postgres;
mod ramp;
mod size;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "usage: cargo xtask <command>
  demo     install what is missing, build, and serve the demo on http://127.0.0.1:8080
  test     install what is missing and run every test (unit, API on SQLite and PostgreSQL, golden JSON, size,
           end to end; `test postgres`: only the API suite on PostgreSQL; `test e2e NAME`: only
           tests/e2e/NAME.test.mjs, on bundles already built)
  build    build the widget and the console (release wasm) and the server
  size     print the loader's and the opened widget's raw, gzip and brotli bytes (JSON on the last line)
  bench    search speed in wasm in Chromium and the server's semantic search speed, FAQ time-to-visible on a
           throttled phone, search quality (demo sets and independent content), sizes,
           the chat under load (`bench live`: that one alone; `bench nodes`: its two-node PostgreSQL part;
           `bench ramp`: the highest message rate before p99 passes 100 ms, SQLite and PostgreSQL)
  eval     FAQ search quality on the evaluation sets (crates/search/tests/corpora/), tuning and held-out
           halves, lexical alone and with the semantic layer
  schema   rewrite crates/protocol/schema/ from the wire types
  setup    only install the tools (and the search model)";

/// A failed step, said in one line.
pub type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => build::demo(),
        Some("test") if args.get(1).map(String::as_str) == Some("postgres") => build::test_api_on_postgres(),
        Some("test") if args.get(1).map(String::as_str) == Some("e2e") => match args.get(2) {
            Some(name) => build::test_one_end_to_end(name),
            None => Err("usage: cargo xtask test e2e NAME (a file tests/e2e/NAME.test.mjs)".to_owned()),
        },
        Some("test") => build::test(),
        Some("build") => tools::ensure().and_then(|_| build::build_all()),
        Some("size") => size::report().map(|_| ()),
        Some("bench") if args.get(1).map(String::as_str) == Some("live") => build::bench_live(),
        Some("bench") if args.get(1).map(String::as_str) == Some("nodes") => build::bench_nodes(),
        Some("bench") if args.get(1).map(String::as_str) == Some("ramp") => ramp::ramp(),
        Some("bench") => build::bench(),
        Some("schema") => run(cargo()
            .args(["test", "-p", "accueil-protocol", "committed_json_schemas"])
            .env("ACCUEIL_UPDATE_SCHEMAS", "1")),
        Some("setup") => tools::ensure(),
        Some("eval") => tools::ensure_model().and_then(|_| {
            run(cargo().args(["test", "-p", "accueil-server", "--lib", "search_eval::quality", "--", "--nocapture"]))
        }),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// This package's folder as cargo names it when it runs the binary: a binary compiled in another clone
/// of the repository, which cargo may reuse from a shared target directory, would name that clone.
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")), Into::into)
}

/// The repository root (xtask's parent directory).
pub fn root() -> PathBuf {
    manifest_dir().parent().unwrap_or(Path::new(".")).to_path_buf()
}

/// Cargo's target directory, honouring `CARGO_TARGET_DIR` (CI keeps it outside the clone).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"))
}

pub fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    command.current_dir(root());
    command
}

/// Runs a command to completion, echoing it; a non-zero exit is an error naming the command.
pub fn run(command: &mut Command) -> Result {
    let shown = format!(
        "{} {}",
        command.get_program().to_string_lossy(),
        command.get_args().map(|a| a.to_string_lossy()).collect::<Vec<_>>().join(" ")
    );
    eprintln!("xtask: $ {shown}");
    let status = command.status().map_err(|e| format!("cannot run `{shown}`: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("`{shown}` failed ({status})")) }
}

/// A command's standard output, or `None` when it cannot run or fails.
pub fn output(command: &mut Command) -> Option<String> {
    let out = command.output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}
