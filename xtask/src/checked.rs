//! Running test runners so that they cannot pass by accident: each runs under the test command's
//! deadline (killed past it), and its own summary is read back: a runner that ran no test, skipped one
//! or left one as todo fails the command, whatever its exit status said.

use crate::Result;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a runner's summary says was wrong, one line each; empty when all is well.
pub type Problems = Vec<String>;

/// Runs `command` (a `cargo test`) to completion before `deadline`, echoing its output, and checks
/// each of its `test result:` lines.
pub fn cargo_test(command: &mut Command, deadline: Instant) -> Result {
    let shown = shown(command);
    eprintln!("xtask: $ {shown}");
    let mut child = command.stdout(Stdio::piped()).spawn().map_err(|e| format!("cannot run `{shown}`: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    // Echo while reading, so a long run shows progress; keep only the summary lines.
    let reader = std::thread::spawn(move || {
        let mut summaries = Vec::new();
        for line in BufReader::new(stdout).lines().map_while(std::result::Result::ok) {
            println!("{line}");
            if line.starts_with("test result:") {
                summaries.push(line);
            }
        }
        summaries
    });
    wait_until(&mut child, deadline, &shown)?;
    let summaries = reader.join().map_err(|_| "the output reader failed")?;
    let problems = cargo_problems(&summaries);
    if problems.is_empty() { Ok(()) } else { Err(format!("`{shown}`: {}", problems.join("; "))) }
}

/// Runs `command` (a `node --test` writing TAP to `tap_file`) before `deadline`, then checks the
/// TAP summary.
pub fn node_test(command: &mut Command, tap_file: &std::path::Path, deadline: Instant) -> Result {
    let shown = shown(command);
    eprintln!("xtask: $ {shown}");
    let mut child = command.spawn().map_err(|e| format!("cannot run `{shown}`: {e}"))?;
    wait_until(&mut child, deadline, &shown)?;
    let tap = std::fs::read_to_string(tap_file).map_err(|e| format!("{}: {e}", tap_file.display()))?;
    let problems = tap_problems(&tap);
    if problems.is_empty() { Ok(()) } else { Err(format!("`{shown}`: {}", problems.join("; "))) }
}

fn shown(command: &Command) -> String {
    let args = command.get_args().map(|a| a.to_string_lossy()).collect::<Vec<_>>().join(" ");
    format!("{} {args}", command.get_program().to_string_lossy())
}

/// Waits for `child`, killing it past `deadline`; a non-zero exit is an error.
fn wait_until(child: &mut std::process::Child, deadline: Instant, shown: &str) -> Result {
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return if status.success() { Ok(()) } else { Err(format!("`{shown}` failed ({status})")) };
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("`{shown}` was still running at the test command's ceiling: stopped"));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The number after `label` in a summary line such as `test result: ok. 3 passed; 0 failed;`.
fn count_before(line: &str, label: &str) -> Option<u64> {
    let words: Vec<&str> = line.split(|c: char| c.is_whitespace() || c == ';' || c == ',').collect();
    words.windows(2).find(|pair| pair[1] == label).and_then(|pair| pair[0].parse().ok())
}

/// Problems in `cargo test`'s summary lines: none at all, a binary that ran no test, ignored tests.
pub fn cargo_problems(summaries: &[String]) -> Problems {
    if summaries.is_empty() {
        return vec!["no `test result:` line: nothing was run".to_owned()];
    }
    let mut problems = Vec::new();
    for line in summaries {
        match (count_before(line, "passed"), count_before(line, "failed"), count_before(line, "ignored")) {
            (Some(0), Some(0), _) => problems.push(format!("a test binary ran no test ({line})")),
            (Some(_), Some(_), Some(ignored)) if ignored > 0 => problems.push(format!("{ignored} ignored ({line})")),
            (Some(_), Some(_), _) => {}
            _ => problems.push(format!("unreadable summary: {line}")),
        }
    }
    problems
}

/// Problems in a TAP summary from `node --test`: no test, failures, skipped or todo tests.
pub fn tap_problems(tap: &str) -> Problems {
    let count = |label: &str| {
        tap.lines().rev().find_map(|line| line.strip_prefix("# ")?.strip_prefix(label)?.trim().parse::<u64>().ok())
    };
    let mut problems = Vec::new();
    match count("tests ") {
        None => problems.push("no TAP summary: did the runner start?".to_owned()),
        Some(0) => problems.push("no test ran".to_owned()),
        Some(_) => {}
    }
    for (label, what) in
        [("fail ", "failed"), ("skipped ", "skipped"), ("todo ", "left as todo"), ("cancelled ", "cancelled")]
    {
        if let Some(n) = count(label).filter(|n| *n > 0) {
            problems.push(format!("{n} {what}"));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &[&str]) -> Vec<String> {
        text.iter().map(|l| (*l).to_owned()).collect()
    }

    #[test]
    fn a_cargo_binary_with_no_test_or_an_ignored_one_is_a_problem() {
        let good =
            lines(&["test result: ok. 12 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.1s"]);
        assert!(cargo_problems(&good).is_empty());
        let empty = lines(&["test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out"]);
        assert_eq!(cargo_problems(&empty).len(), 1);
        let ignored = lines(&["test result: ok. 3 passed; 0 failed; 2 ignored; 0 measured; 0 filtered out"]);
        assert!(cargo_problems(&ignored)[0].starts_with("2 ignored"));
        assert_eq!(cargo_problems(&[]).len(), 1, "no summary at all");
    }

    #[test]
    fn a_tap_summary_with_no_test_a_skip_or_a_todo_is_a_problem() {
        let good = "ok 1 - a\n1..1\n# tests 1\n# suites 0\n# pass 1\n# fail 0\n# cancelled 0\n# skipped 0\n# todo 0\n";
        assert!(tap_problems(good).is_empty());
        assert_eq!(tap_problems("1..0\n# tests 0\n# pass 0\n"), ["no test ran"]);
        let skipped = good.replace("# skipped 0", "# skipped 2").replace("# todo 0", "# todo 1");
        assert_eq!(tap_problems(&skipped), ["2 skipped", "1 left as todo"]);
        assert_eq!(tap_problems(""), ["no TAP summary: did the runner start?"]);
    }
}
