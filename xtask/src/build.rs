//! Building the bundles and the server, running the demo, and the whole test run.

use crate::tools::{self, path_env, tools_dir};
use crate::{Result, cargo, checked, root, run, size, target_dir};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The widget's channel documents (besides the home document), by folder under /widget/ and HTML source.
pub const CHANNEL_DOCUMENTS: &[(&str, &str)] = &[
    ("callback", "src/bin/callback/index.html"),
    ("community", "src/bin/community/index.html"),
    ("chat", "src/bin/chat/index.html"),
    ("data", "src/bin/data/index.html"),
];

/// The agent the demo prints, and the end-to-end tests sign in as.
const DEMO_AGENT_EMAIL: &str = "camille@maison-lumiere.example";
const DEMO_AGENT_PASSWORD: &str = "demo-accueil-2026";
/// The several-nodes test's second agent (same password), for two consoles racing.
const SECOND_AGENT_EMAIL: &str = "hugo@maison-lumiere.example";
/// An editor of the demo site (the FAQ and its report, not the front desk), for the console's role tests.
const EDITOR_EMAIL: &str = "ines@maison-lumiere.example";
/// The identity secret of the end-to-end tests' demo site.
const TEST_IDENTITY_SECRET: &str = "the-end-to-end-tests-identity-secret";
/// The webhook secret of the several-nodes test, which checks each delivery's signature.
const TEST_WEBHOOK_SECRET: &str = "several-nodes-webhook-secret";

fn trunk_build(dir: &Path, extra: &[&str]) -> Result {
    run(Command::new("trunk")
        .arg("build")
        .args(extra)
        .arg("--release")
        .current_dir(dir)
        .env("PATH", path_env())
        .env("NO_COLOR", "true"))
}

/// Moves trunk's inline `<script type="module">` boot code into a hashed file, so the document needs no
/// `'unsafe-inline'` under the server's `script-src 'self'` policy.
fn externalize_boot_script(dist: &Path, public_url: &str) -> Result {
    let index_path = dist.join("index.html");
    let html = std::fs::read_to_string(&index_path).map_err(|e| format!("{}: {e}", index_path.display()))?;
    let open = "<script type=\"module\">";
    let Some(start) = html.find(open) else {
        return Err(format!(
            "{}: trunk's boot script was not found; did trunk change its output?",
            index_path.display()
        ));
    };
    let body_start = start + open.len();
    let end = html[body_start..].find("</script>").map(|i| body_start + i).ok_or("unclosed boot script")?;
    let code = html[body_start..end].trim();
    let name = format!("boot-{:016x}.js", fnv1a(code.as_bytes()));
    std::fs::write(dist.join(&name), format!("{code}\n")).map_err(|e| e.to_string())?;
    let tag = format!("<script type=\"module\" src=\"{public_url}{name}\"></script>");
    let html = format!("{}{tag}{}", &html[..start], &html[end + "</script>".len()..]);
    if html.contains("<script>") || html.contains(open) || html.contains(" style=") {
        return Err(format!("{}: inline script or style left after the rewrite", index_path.display()));
    }
    std::fs::write(&index_path, html).map_err(|e| e.to_string())
}

/// A stable 64-bit content hash (FNV-1a): enough to name a file, no dependency needed.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

pub fn build_bundles() -> Result {
    let root = root();
    trunk_build(&root, &[])?;
    externalize_boot_script(&root.join("dist/widget"), "/widget/")?;
    // Each channel with a document of its own; after the home document, whose build empties dist/widget.
    for (channel, html) in CHANNEL_DOCUMENTS {
        let public_url = format!("/widget/{channel}/");
        let dist = format!("dist/widget/{channel}");
        trunk_build(&root, &[html, "--dist", &dist, "--public-url", &public_url])?;
        externalize_boot_script(&root.join(&dist), &public_url)?;
    }
    trunk_build(&root.join("crates/console"), &[])?;
    externalize_boot_script(&root.join("dist/console"), "/console/")?;
    precompress(&root.join("dist"))
}

/// Writes `x.br` and `x.gz` beside each compressible file under `dir`, so the server only checks them
/// at start instead of compressing (seconds per megabyte at brotli's best quality).
fn precompress(dir: &Path) -> Result {
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries = std::fs::read_dir(&current).map_err(|e| format!("{}: {e}", current.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                pending.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("html" | "js" | "css" | "wasm" | "json" | "svg" | "txt")
            ) {
                let quiet = |mut command: Command| -> Result {
                    let status = command.status().map_err(|e| format!("cannot run {command:?}: {e}"))?;
                    if status.success() { Ok(()) } else { Err(format!("{command:?} failed ({status})")) }
                };
                let mut brotli = Command::new("brotli");
                brotli.args(["--quality=11", "--force", "--keep"]).arg(&path);
                quiet(brotli)?;
                let mut gzip = Command::new("gzip");
                gzip.args(["-9", "--no-name", "--keep", "--force"]).arg(&path);
                quiet(gzip)?;
            }
        }
    }
    Ok(())
}

fn server_binary() -> PathBuf {
    target_dir().join("debug/accueil")
}

pub fn build_all() -> Result {
    build_bundles()?;
    run(cargo().args(["build", "-p", "accueil-server"]))
}

/// Adds the demo agent (who works on the demo site) unless it exists.
fn add_demo_agent(env: &[(&str, String)], config: &Path) -> Result {
    add_agent(env, config, DEMO_AGENT_EMAIL, "Camille", "administrator")
}

/// An account of the demo site with `role` and the demo agent's password, unless one has that email
/// already.
fn add_agent(env: &[(&str, String)], config: &Path, email: &str, name: &str, role: &str) -> Result {
    run(Command::new(server_binary())
        .args(["agent", "add", "--email", email, "--name", name, "--sites", "demo", "--role", role, "--if-missing"])
        .arg("--config")
        .arg(config)
        .env("ACCUEIL_AGENT_PASSWORD", DEMO_AGENT_PASSWORD)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str()))))
}

pub fn demo() -> Result {
    tools::ensure()?;
    build_all()?;
    std::fs::create_dir_all(root().join(".accueil")).map_err(|e| e.to_string())?;
    let demo_config = root().join("crates/server/demo/accueil.toml");
    add_demo_agent(&[], &demo_config)?;
    // One account of each other role, to see what the console offers each.
    add_agent(&[], &demo_config, SECOND_AGENT_EMAIL, "Hugo", "agent")?;
    add_agent(&[], &demo_config, EDITOR_EMAIL, "Inès", "editor")?;
    println!(
        "\n  Demo brand page: http://127.0.0.1:8080/\n  Agent console:   http://127.0.0.1:8080/console/\n  \
         Agent login:     {DEMO_AGENT_EMAIL} / {DEMO_AGENT_PASSWORD} (administrator; {SECOND_AGENT_EMAIL} is an \
         agent, {EDITOR_EMAIL} an editor, same password)\n  Stop with Ctrl-C.\n"
    );
    run(Command::new(server_binary()).args(["serve", "--config"]).arg(root().join("crates/server/demo/accueil.toml")))
}

/// A running demo server for the end-to-end tests; killed when dropped.
pub(crate) struct Server(pub(crate) Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What an end-to-end file runs against, stopped when dropped.
enum Servers {
    One(#[allow(dead_code)] Server),
    Several(#[allow(dead_code)] Box<SeveralNodes>),
}

/// Two server nodes on one throwaway PostgreSQL, behind nginx (`crates/server/deploy/nginx.conf`):
/// node A takes the traffic, node B is the balancer's backup, so a test knows the visitor is on A,
/// kills A (its pid is in the environment) and sees the balancer move the visitor to B. Both run the
/// webhook outbox towards a receiver the test opens on `webhook_port`, and a second agent works on
/// the demo site, for races between two consoles.
struct SeveralNodes {
    // Dropped in this order: the balancer, the nodes, then the database under them.
    nginx: Server,
    node_a: Server,
    node_b: Server,
    node_b_url: String,
    balancer_url: String,
    webhook_port: u16,
    _postgres: crate::postgres::TestPostgres,
}

impl SeveralNodes {
    fn start(work: &Path) -> Result<SeveralNodes> {
        let postgres = crate::postgres::TestPostgres::start()?;
        postgres.create_database("accueil")?;
        let database = format!("{}/accueil", postgres.url());
        let (port_a, port_b, port_balancer, webhook_port) = (free_port()?, free_port()?, free_port()?, free_port()?);
        let balancer_url = format!("http://127.0.0.1:{port_balancer}");
        // Links and frame ancestors name the balancer; its X-Forwarded-For is believed.
        let behind_balancer =
            [("ACCUEIL_PUBLIC_URL", balancer_url.clone()), ("ACCUEIL_TRUSTED_PROXIES", "127.0.0.1".to_owned())];
        let binary = server_binary();
        let config = test_config(work, Some(&format!("http://127.0.0.1:{webhook_port}/accueil")))?;
        let (node_a, _) = start_node(&config, work, &binary, port_a, &database, &behind_balancer)?;
        let (node_b, node_b_url) = start_node(&config, work, &binary, port_b, &database, &behind_balancer)?;
        let env = [
            ("ACCUEIL_DATABASE_URL", database.clone()),
            ("ACCUEIL_STATIC_DIR", root().join("dist").display().to_string()),
        ];
        add_agent(&env, &config, SECOND_AGENT_EMAIL, "Hugo", "agent")?;
        let template = std::fs::read_to_string(root().join("crates/server/deploy/nginx.conf"))
            .map_err(|e| format!("crates/server/deploy/nginx.conf: {e}"))?;
        let nginx_work = work.join("nginx");
        std::fs::create_dir_all(&nginx_work).map_err(|e| e.to_string())?;
        let conf = template
            .replace("{{WORK}}", &nginx_work.display().to_string())
            .replace("{{NODE_A}}", &format!("127.0.0.1:{port_a}"))
            .replace("{{NODE_B}}", &format!("127.0.0.1:{port_b}"))
            .replace("{{NODE_B_ROLE}}", "backup")
            .replace("{{LISTEN}}", &format!("127.0.0.1:{port_balancer}"));
        let conf_path = nginx_work.join("nginx.conf");
        std::fs::write(&conf_path, conf).map_err(|e| e.to_string())?;
        // One process: killing it when the test ends leaves no worker behind holding the output open.
        let nginx = Command::new("/usr/sbin/nginx")
            .args(["-g", "master_process off;"])
            .arg("-p")
            .arg(&nginx_work)
            .arg("-c")
            .arg(&conf_path)
            .spawn()
            .map_err(|e| format!("cannot start nginx: {e}"))?;
        let nginx = Server(nginx);
        wait_for_http(&balancer_url, std::time::Duration::from_secs(10))?;
        Ok(SeveralNodes { nginx, node_a, node_b, node_b_url, balancer_url, webhook_port, _postgres: postgres })
    }

    /// What the test file is told: node B's own address (a console goes there), node A's pid,
    /// where the webhook receiver listens, the second agent and the webhook's secret.
    fn env(&self) -> Vec<(String, String)> {
        vec![
            ("ACCUEIL_NODE_B_URL".to_owned(), self.node_b_url.clone()),
            ("ACCUEIL_WEBHOOK_PORT".to_owned(), self.webhook_port.to_string()),
            ("ACCUEIL_WEBHOOK_SECRET".to_owned(), TEST_WEBHOOK_SECRET.to_owned()),
            ("ACCUEIL_SECOND_AGENT_EMAIL".to_owned(), SECOND_AGENT_EMAIL.to_owned()),
            ("ACCUEIL_NODE_A_PID".to_owned(), self.node_a.0.id().to_string()),
            ("ACCUEIL_NODE_B_PID".to_owned(), self.node_b.0.id().to_string()),
            ("ACCUEIL_BALANCER_PID".to_owned(), self.nginx.0.id().to_string()),
        ]
    }
}

/// Waits until `url` answers HTTP at all, or fails after `at_most`.
fn wait_for_http(url: &str, at_most: std::time::Duration) -> Result {
    let address = url.trim_start_matches("http://");
    let started = std::time::Instant::now();
    while started.elapsed() < at_most {
        if let Ok(mut stream) = std::net::TcpStream::connect(address) {
            use std::io::{Read, Write};
            let request = format!("GET /healthz HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
            let mut answer = String::new();
            if stream.write_all(request.as_bytes()).is_ok()
                && stream.read_to_string(&mut answer).is_ok()
                && answer.starts_with("HTTP/1.1 200")
            {
                return Ok(());
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    Err(format!("{url} did not answer within {} s", at_most.as_secs()))
}

pub(crate) fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

fn start_e2e_server(work: &Path) -> Result<(Server, String)> {
    start_server(work, &server_binary())
}

/// The demo configuration for tests, written to `work/e2e.toml`: the demo's, with its paths made
/// absolute and the desk open around the clock, so what visitors are told (someone can answer now,
/// callbacks as soon as possible) does not depend on the hour the tests run at. Tests that need nobody
/// to answer set the agent away.
pub(crate) fn test_config(work: &Path, webhook_url: Option<&str>) -> Result<PathBuf> {
    let demo = root().join("crates/server/demo");
    let text = std::fs::read_to_string(demo.join("accueil.toml")).map_err(|e| format!("demo config: {e}"))?;
    let replace = |text: String, from: &str, to: &str| -> Result<String> {
        if text.contains(from) {
            Ok(text.replacen(from, to, 1))
        } else {
            Err(format!("the demo config no longer has `{from}`: update xtask's test_config"))
        }
    };
    let weekly_start = text.find("weekly = [").ok_or("the demo config has no `weekly = [`")?;
    let weekly_end = text[weekly_start..].find("\n]\n").map(|i| weekly_start + i + 2).ok_or("unclosed `weekly`")?;
    let always = "weekly = [{ days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\"], opens = \"00:00\", closes = \"24:00\" }]";
    let text = format!("{}{always}{}", &text[..weekly_start], &text[weekly_end..]);
    let text = replace(
        text,
        "demo_page_dir = \"page\"",
        &format!("demo_page_dir = {:?}", demo.join("page").display().to_string()),
    )?;
    let text = replace(text, "faq_dir = \"faq\"", &format!("faq_dir = {:?}", demo.join("faq").display().to_string()))?;
    let text = match webhook_url {
        Some(url) => replace(
            text,
            "# webhook_url = \"https://crm.example/accueil\"",
            &format!("webhook_url = {url:?}\nwebhook_secret = {TEST_WEBHOOK_SECRET:?}"),
        )?,
        None => text,
    };
    // Identities signed with a secret the end-to-end tests know (`ACCUEIL_IDENTITY_SECRET`).
    let text = replace(
        text,
        "# [site.identity]\n# secrets = [\"at least thirty-two characters, kept on the brand's server\"]",
        &format!("[site.identity]\nsecrets = [{TEST_IDENTITY_SECRET:?}]"),
    )?;
    // A second site with only the chat switched on: no visitor of it must be offered what is off.
    let text = format!(
        "{text}\n[[site]]\nid = \"chat-only\"\nname = \"Lumière Outlet\"\nallowed_origins = [\"self\"]\n\
         locales = [\"fr\"]\nprimary_color = \"#2f5d50\"\nfeatures = [\"chat\"]\n\
         business_hours = {{ time_zone = \"Europe/Paris\", {always} }}\n"
    );
    let path = work.join("e2e.toml");
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

/// The test configuration (`test_config`) on `work/e2e.db`, served by `binary`.
fn start_server(work: &Path, binary: &Path) -> Result<(Server, String)> {
    let database = format!("sqlite://{}", work.join("e2e.db").display());
    start_node(&test_config(work, None)?, work, binary, free_port()?, &database, &[])
}

/// One server node of `config` on `database`, listening on `port`; `more` adds settings.
pub(crate) fn start_node(
    config: &Path,
    work: &Path,
    binary: &Path,
    port: u16,
    database: &str,
    more: &[(&str, String)],
) -> Result<(Server, String)> {
    let mut env = vec![
        ("ACCUEIL_LISTEN", format!("127.0.0.1:{port}")),
        ("ACCUEIL_DATABASE_URL", database.to_owned()),
        ("ACCUEIL_STATIC_DIR", root().join("dist").display().to_string()),
        // Transcripts land here as .eml files, where the tests read them.
        ("ACCUEIL_MAIL_PICKUP_DIR", work.join("mail").display().to_string()),
    ];
    env.extend(more.iter().cloned());
    add_demo_agent(&env, config)?;
    add_agent(&env, config, EDITOR_EMAIL, "Inès", "editor")?;
    let mut child = Command::new(binary)
        .args(["serve", "--config"])
        .arg(config)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .env("ACCUEIL_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let stdout = child.stdout.take().ok_or("no server stdout")?;
    let server = Server(child);
    let mut first_line = String::new();
    BufReader::new(stdout).read_line(&mut first_line).map_err(|e| e.to_string())?;
    if !first_line.starts_with("accueil listening") {
        return Err(format!("the server did not start: {first_line:?}"));
    }
    Ok((server, format!("http://127.0.0.1:{port}")))
}

/// Prints the lines of a command's output that carry figures.
fn print_figures(command: &mut Command, prefixes: &[&str]) -> Result {
    let out = command.output().map_err(|e| format!("cannot run a benchmark: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let figures: Vec<&str> = text.lines().filter(|l| prefixes.iter().any(|p| l.trim_start().starts_with(p))).collect();
    // The figures are printed whatever happened: a missed budget is a figure too.
    for line in &figures {
        println!("{}", line.trim());
    }
    if !out.status.success() || figures.is_empty() {
        eprintln!("{text}{}", String::from_utf8_lossy(&out.stderr));
        return Err(format!("the benchmark failed or missed a budget ({})", out.status));
    }
    Ok(())
}

pub fn bench() -> Result {
    tools::ensure()?;
    // Every benchmark runs, whatever the others found; the command fails at the end if any missed a
    // budget or could not run.
    let mut missed = Vec::new();
    let mut note = |name: &str, result: Result| {
        if let Err(error) = result {
            eprintln!("xtask: {name}: {error}");
            missed.push(name.to_owned());
        }
    };
    note(
        "search speed",
        print_figures(
            cargo()
                .args(["test", "-p", "accueil-search", "--release", "--target", "wasm32-unknown-unknown"])
                .args(["--test", "wasm_bench", "--", "--nocapture"])
                .env("PATH", path_env()),
            &["BENCH"],
        ),
    );
    note(
        "search quality",
        print_figures(
            cargo().args(["test", "-p", "accueil-search", "--test", "relevance", "--", "--nocapture"]),
            &["relevance"],
        ),
    );
    note(
        "search quality on independent content",
        print_figures(
            cargo().args(["test", "-p", "accueil-server", "--lib", "search_eval::quality", "--", "--nocapture"]),
            &["gnome-help", "libreoffice-writer", "all en", "all fr"],
        ),
    );
    note(
        "semantic search speed",
        print_figures(
            cargo().args(["run", "--release", "-p", "accueil-server", "--example", "semantic_bench"]),
            &["BENCH"],
        ),
    );
    build_all()?;
    note("sizes", size::report().map(|_| ()));
    let work = target_dir().join("bench");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let (server, base) = start_e2e_server(&work)?;
    note(
        "time to a visible FAQ",
        print_figures(
            Command::new("node")
                .arg(root().join("tests/bench/open-faq.mjs"))
                .env("ACCUEIL_URL", &base)
                .env("ACCUEIL_TOOLS_DIR", tools_dir()),
            &["BENCH"],
        ),
    );
    drop(server);
    note("chat under load", bench_live());
    note("chat rate ramp", crate::ramp::ramp());
    if missed.is_empty() { Ok(()) } else { Err(format!("over budget or failed: {}", missed.join(", "))) }
}

/// The chat benchmark's load: idle connections, active conversations (one message a second each) and
/// how long they talk.
const LIVE_IDLE: usize = 10_000;
const LIVE_ACTIVE: usize = 1_000;
const LIVE_SECONDS: u64 = 20;

/// The chat under load: a release server (a debug one measures the debug build, not the code) and the
/// `live_load` generator, each in its own process over loopback.
/// Runs of the active load, to see its spread (this machine's two cores are shared).
const LIVE_ACTIVE_RUNS: usize = 3;

/// The release server and the load generator, built.
pub(crate) fn live_binaries() -> Result<(PathBuf, PathBuf)> {
    run(cargo().args(["build", "--release", "-p", "accueil-server", "--example", "live_load", "--bin", "accueil"]))?;
    Ok((target_dir().join("release/examples/live_load"), target_dir().join("release/accueil")))
}

/// `cargo xtask bench nodes`: the two-node PostgreSQL phases of the chat benchmark alone.
pub fn bench_nodes() -> Result {
    let (generator, server_binary) = live_binaries()?;
    let failed: Vec<String> = live_on_two_nodes(&generator, &server_binary)
        .into_iter()
        .filter_map(|(name, result)| result.err().map(|error| format!("{name}: {error}")))
        .collect();
    if failed.is_empty() { Ok(()) } else { Err(failed.join("; ")) }
}

pub fn bench_live() -> Result {
    let (generator, server_binary) = live_binaries()?;
    // Each phase against a server process of its own, on a fresh copy of one seeded database: memory a
    // process freed stays with it, so a phase after another would be measured on its leftovers.
    let seeded = target_dir().join("bench-live-seed.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", seeded.display()));
    }
    let sessions = (LIVE_IDLE.max(LIVE_ACTIVE) + 500).to_string();
    run(Command::new(&generator).args(["seed", &format!("sqlite://{}", seeded.display()), &sessions]))?;
    let phases: Vec<(String, Vec<String>)> = [("hello", "idle"), ("conversation", "idle")]
        .into_iter()
        .map(|(kind, mode)| (format!("{mode}-{kind}"), vec![mode.to_owned(), LIVE_IDLE.to_string(), kind.to_owned()]))
        .chain((1..=LIVE_ACTIVE_RUNS).map(|n| {
            (format!("active-{n}"), vec!["active".to_owned(), LIVE_ACTIVE.to_string(), LIVE_SECONDS.to_string()])
        }))
        .collect();
    let mut failed = Vec::new();
    for (name, args) in phases {
        let work = target_dir().join("bench-live").join(&name);
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
        // The WAL too: what the seeding wrote last may not be checkpointed into the file yet.
        for suffix in ["", "-wal", "-shm"] {
            let from = PathBuf::from(format!("{}{suffix}", seeded.display()));
            if from.exists() {
                std::fs::copy(&from, work.join(format!("e2e.db{suffix}"))).map_err(|e| e.to_string())?;
            }
        }
        let (server, base) = start_server(&work, &server_binary)?;
        let pid = server.0.id().to_string();
        let mut command = Command::new(&generator);
        command.arg(&args[0]).arg(&base);
        if args[0] == "idle" {
            command.arg(&pid);
        }
        command.args(&args[1..]);
        if let Err(error) = print_figures(&mut command, &["BENCH"]) {
            eprintln!("xtask: live {name}: {error}");
            failed.push(name);
        }
        drop(server);
    }
    for (name, result) in live_on_two_nodes(&generator, &server_binary) {
        if let Err(error) = result {
            eprintln!("xtask: live {name}: {error}");
            failed.push(name);
        }
    }
    if failed.is_empty() { Ok(()) } else { Err(format!("live phases over budget or failed: {}", failed.join(", "))) }
}

/// The chat on two release nodes sharing one local PostgreSQL (durable, as in production): idle
/// visitors in open conversations on node A (memory per connection), then 1,000 active conversations
/// with the visitors on node A and the console on node B, each phase on a database of its own.
fn live_on_two_nodes(generator: &Path, server_binary: &Path) -> Vec<(String, Result)> {
    let postgres = match crate::postgres::TestPostgres::start_durable() {
        Ok(postgres) => postgres,
        Err(error) => return vec![("two-nodes".to_owned(), Err(error))],
    };
    let sessions = (LIVE_IDLE.max(LIVE_ACTIVE) + 500).to_string();
    let phase = |name: &str, args: Vec<String>, console_on_b: bool| -> Result {
        postgres.create_database(name)?;
        let database = format!("{}/{name}", postgres.url());
        run(Command::new(generator).args(["seed", &database, &sessions]))?;
        let work = target_dir().join("bench-live").join(name);
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
        let config = test_config(&work, None)?;
        let (node_a, base_a) = start_node(&config, &work, server_binary, free_port()?, &database, &[])?;
        let (node_b, base_b) = start_node(&config, &work, server_binary, free_port()?, &database, &[])?;
        let mut command = Command::new(generator);
        command.arg(&args[0]).arg(&base_a);
        if args[0] == "idle" {
            command.arg(node_a.0.id().to_string());
        }
        command.args(&args[1..]);
        if console_on_b {
            command.arg(&base_b);
        }
        let result = print_figures(&mut command, &["BENCH"]);
        drop((node_a, node_b));
        result
    };
    vec![
        (
            "two-nodes-idle-conversation".to_owned(),
            phase("idle_conversation", vec!["idle".into(), LIVE_IDLE.to_string(), "conversation".into()], false),
        ),
        (
            "two-nodes-active".to_owned(),
            phase("active", vec!["active".into(), LIVE_ACTIVE.to_string(), LIVE_SECONDS.to_string()], true),
        ),
    ]
}

/// The test command's ceiling, once the tools are installed: a step still running then is stopped and
/// the command fails, so a promise that never settles cannot hang CI (which allows 90 minutes in all).
const TEST_CEILING: std::time::Duration = std::time::Duration::from_secs(60 * 60);
/// One end-to-end test may take this long (a cold browser, a throttled page) before it fails.
const E2E_TEST_TIMEOUT_MS: u32 = 180_000;

pub fn test() -> Result {
    let started = std::time::Instant::now();
    tools::ensure()?;
    let deadline = std::time::Instant::now() + TEST_CEILING;
    run(cargo().args(["fmt", "--all", "--check"]))?;
    run(cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
    // Licences and sources of every dependency (deny.toml); advisories need a download from GitHub.
    // cargo deny reads every platform's dependencies; a build downloads only this one's, so fetch the
    // others (Windows-only crates and the like) first, from the registry, which is reachable.
    run(cargo().args(["fetch"]))?;
    run(cargo().args(["deny", "--offline", "check", "licenses", "bans", "sources"]))?;
    // `cargo test` also builds the `accueil` binary the end-to-end tests run; building it again with
    // `cargo build -p` would resolve other features and recompile half the dependency tree.
    // The several-nodes tests need PostgreSQL: they run in the next step.
    checked::cargo_test(cargo().args(["test", "--workspace", "--", "--skip", "nodes::"]), deadline)?;
    // The search crate as the widget builds it (without the server's Snowball stemmers): its own
    // stemmer and its relevance sets.
    checked::cargo_test(cargo().args(["test", "-p", "accueil-search"]), deadline)?;
    api_on_postgres(deadline)?;
    build_bundles()?;
    let sizes = size::report()?;
    if !sizes.within_budget() {
        return Err("a bundle is over its size budget (see above)".to_owned());
    }
    end_to_end(deadline, None)?;
    eprintln!("xtask: every test passed in {} s", started.elapsed().as_secs());
    Ok(())
}

/// The API tests that read SQLite's own files: a full tmpfs and a second writer's lock, a killed
/// process restarted on the same file, erased bytes searched for in the file and its WAL.
const SQLITE_ONLY_API_TESTS: [&str; 3] = ["faults::", "crash::", "erasure::"];

/// `cargo xtask test e2e NAME`: one end-to-end file (`tests/e2e/NAME.test.mjs`) against the bundles
/// already built (`cargo xtask build`).
pub fn test_one_end_to_end(name: &str) -> Result {
    tools::ensure()?;
    run(cargo().args(["build", "--workspace", "--tests"]))?;
    end_to_end(std::time::Instant::now() + TEST_CEILING, Some(name))
}

/// `cargo xtask test postgres`: the API suite on PostgreSQL alone.
pub fn test_api_on_postgres() -> Result {
    tools::ensure()?;
    api_on_postgres(std::time::Instant::now() + TEST_CEILING)
}

/// The HTTP and WebSocket API suite again, every test on its own database of a throwaway PostgreSQL.
fn api_on_postgres(deadline: std::time::Instant) -> Result {
    let postgres = crate::postgres::TestPostgres::start()?;
    let mut command = cargo();
    command.args(["test", "--workspace", "--test", "api", "--"]);
    for module in SQLITE_ONLY_API_TESTS {
        command.args(["--skip", module]);
    }
    command.env("ACCUEIL_TEST_POSTGRES_URL", postgres.url()).env("ACCUEIL_TEST_POSTGRES_DATA", postgres.data_dir());
    checked::cargo_test(&mut command, deadline)
}

/// Each end-to-end file against its own server on a fresh database, so no file depends on what
/// another changed (an edited FAQ entry, a booked window, a signed-out agent).
fn end_to_end(deadline: std::time::Instant, only: Option<&str>) -> Result {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/e2e"))
        .map_err(|e| format!("tests/e2e: {e}"))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.to_string_lossy().ends_with(".test.mjs"))
        .filter(|path| {
            only.is_none_or(|name| path.file_name().is_some_and(|f| f.to_string_lossy() == format!("{name}.test.mjs")))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err("tests/e2e holds no *.test.mjs file".to_owned());
    }
    let work = target_dir().join("e2e");
    let _ = std::fs::remove_dir_all(&work);
    // Every file runs, whatever the others did; the step fails at the end naming each that failed.
    let mut failed = Vec::new();
    for file in files {
        let name = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let work = work.join(name.trim_end_matches(".test"));
        std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
        // The several-nodes file runs against two nodes on PostgreSQL behind nginx; the others
        // against one node on SQLite.
        let (servers, base, more) = if name == "several-nodes.test" {
            let nodes = SeveralNodes::start(&work)?;
            let base = nodes.balancer_url.clone();
            let more = nodes.env();
            (Servers::Several(Box::new(nodes)), base, more)
        } else {
            let (server, base) = start_e2e_server(&work)?;
            (Servers::One(server), base, Vec::new())
        };
        let tap = work.join("results.tap");
        // Test files are named one by one (not a folder), which every Node.js from 20 on reads alike;
        // TAP goes to a file whose summary is checked, the readable report to the terminal.
        let ran = checked::node_test(
            Command::new("node")
                .arg("--test")
                .arg(format!("--test-timeout={E2E_TEST_TIMEOUT_MS}"))
                .args(["--test-reporter=spec", "--test-reporter-destination=stdout", "--test-reporter=tap"])
                .arg(format!("--test-reporter-destination={}", tap.display()))
                .arg(&file)
                .env("ACCUEIL_URL", &base)
                .env("ACCUEIL_TOOLS_DIR", tools_dir())
                .env("ACCUEIL_E2E_OUT", &work)
                .env("ACCUEIL_MAIL_DIR", work.join("mail"))
                .env("ACCUEIL_IDENTITY_SECRET", TEST_IDENTITY_SECRET)
                .env("ACCUEIL_AGENT_EMAIL", DEMO_AGENT_EMAIL)
                .env("ACCUEIL_EDITOR_EMAIL", EDITOR_EMAIL)
                .env("ACCUEIL_AGENT_PASSWORD", DEMO_AGENT_PASSWORD)
                .envs(more),
            &tap,
            deadline,
        );
        drop(servers);
        if let Err(error) = ran {
            eprintln!("xtask: {error}");
            failed.push(file.display().to_string());
        }
    }
    if failed.is_empty() { Ok(()) } else { Err(format!("end-to-end files failed: {}", failed.join(", "))) }
}
