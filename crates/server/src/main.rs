//! The `accueil` command: `serve` runs the server, `agent add` creates a console agent.

use accueil_protocol::AgentRole;
use accueil_server::config::Config;
use accueil_server::startup::Application;
use accueil_server::store::{self, SiteScope};
use accueil_server::{Error, now, secrets};
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = r#"usage:
  accueil serve [--config FILE]
  accueil agent add --email EMAIL --name NAME --sites SITE[,SITE...] [--role administrator|agent|editor]
                    [--if-missing] [--config FILE]
      (the password is read from ACCUEIL_AGENT_PASSWORD, else from the first line of standard input;
       the agent works on those sites only; --sites '*' gives every site, for the first administrator)
  accueil faq check DIR [--config FILE]            validate a FAQ folder (problems with file:line)
  accueil faq import DIR --site SITE [--config FILE]   validate, then publish it as a new snapshot
  accueil faq restore --site SITE [--config FILE]      publish the snapshot before the published one
  accueil faq export --site SITE DIR [--config FILE]   write the published FAQ back as Markdown
  accueil faq payload DIR --locale LOCALE              print the JSON the widget would receive
  accueil store copy --from sqlite://FILE --to postgres://USER@HOST:PORT/DATABASE
      (moves a stopped SQLite deployment into an empty PostgreSQL database; counts are checked)
  accueil search-eval ENTRIES.jsonl
      (FAQ search harness: JSON Lines queries {"q","k"} on stdin, {"ids","scores"} lines out)

environment: ACCUEIL_CONFIG, ACCUEIL_LISTEN, ACCUEIL_PUBLIC_URL, ACCUEIL_DATABASE_URL, ACCUEIL_STATIC_DIR,
             ACCUEIL_TRUSTED_PROXIES (comma-separated), ACCUEIL_MAX_CONNECTIONS_PER_ADDRESS,
             ACCUEIL_LOG (log filter, default `info`)"#;

/// Exit status of `agent add` when the agent exists and `--if-missing` was not given.
const EXIT_EXISTS: u8 = 3;

#[tokio::main]
async fn main() -> ExitCode {
    init_logging();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [] | ["serve", ..] => serve(&args).await,
        ["agent", "add", ..] => add_agent(&args).await,
        ["faq", command, ..] => faq_command(command, &args[2..]).await,
        ["store", "copy", ..] => copy_store(&args).await,
        ["search-eval", entries] => {
            accueil_server::search_eval::run(entries, std::io::stdin().lock(), std::io::stdout().lock())
        }
        ["--help" | "-h" | "help", ..] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::Conflict(message)) => {
            eprintln!("accueil: {message}");
            ExitCode::from(EXIT_EXISTS)
        }
        Err(error) => {
            eprintln!("accueil: {error}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ACCUEIL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

/// The value after `--name` in `args`.
fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map(String::as_str)
}

fn config(args: &[String]) -> Result<Config, Error> {
    Config::load(flag(args, "--config").map(PathBuf::from).as_deref())
}

async fn serve(args: &[String]) -> Result<(), Error> {
    let config = config(args)?;
    let public_url = config.public_url.clone();
    let sites: Vec<String> = config.sites.iter().map(|s| s.public.site.clone()).collect();
    let app = Application::build(config).await?;
    // Scripts (xtask, tests) wait for this line on standard output.
    println!(
        "accueil listening on http://{} (public URL {public_url}; sites: {})",
        app.local_addr()?,
        sites.join(", ")
    );
    app.run_until_stopped().await
}

async fn copy_store(args: &[String]) -> Result<(), Error> {
    let usage = || Error::Config(format!("store copy needs --from sqlite://… and --to postgres://…\n{USAGE}"));
    let (from, to) = (flag(args, "--from").ok_or_else(usage)?, flag(args, "--to").ok_or_else(usage)?);
    if !from.starts_with("sqlite:") || !(to.starts_with("postgres://") || to.starts_with("postgresql://")) {
        return Err(usage());
    }
    let file = from.trim_start_matches("sqlite://");
    if !std::path::Path::new(file).is_file() {
        return Err(Error::Config(format!("--from: no SQLite database at {file}")));
    }
    let source = store::SqliteStore::open(from).await?;
    let target = store::PostgresStore::open(to).await?;
    let report = store::copy(&source, &target).await?;
    for (table, rows) in &report {
        println!("{table}: {rows} rows");
    }
    println!(
        "copied {} rows; start the nodes with database_url = \"{to}\"",
        report.iter().map(|(_, n)| n).sum::<u64>()
    );
    Ok(())
}

async fn add_agent(args: &[String]) -> Result<(), Error> {
    let usage = || Error::Config(format!("agent add needs --email, --name and --sites\n{USAGE}"));
    let email = flag(args, "--email").ok_or_else(usage)?.trim().to_owned();
    let name = flag(args, "--name").ok_or_else(usage)?.trim().to_owned();
    if !email.contains('@') || name.is_empty() {
        return Err(Error::Config("give a real email address and a non-empty name".to_owned()));
    }
    let config = config(args)?;
    let sites = site_scope(flag(args, "--sites").ok_or_else(usage)?, &config)?;
    // The first account is made here, so an administrator unless told otherwise.
    let role = match flag(args, "--role") {
        None => AgentRole::Administrator,
        Some(name) => AgentRole::from_name(name.trim()).ok_or_else(|| {
            Error::Config(format!("--role is one of administrator, agent, editor; not `{}`", name.trim()))
        })?,
    };
    let store = store::open(&config.database_url).await?;
    if args.iter().any(|a| a == "--if-missing") && store.agent_by_email(&email).await?.is_some() {
        println!("agent {email} already exists; left as it is");
        return Ok(());
    }
    let password = match std::env::var("ACCUEIL_AGENT_PASSWORD") {
        Ok(password) => password,
        Err(_) => std::io::stdin().lock().lines().next().transpose()?.unwrap_or_default(),
    };
    if password.chars().count() < secrets::MIN_PASSWORD_CHARS {
        return Err(Error::Config(format!("the password needs at least {} characters", secrets::MIN_PASSWORD_CHARS)));
    }
    let hash = secrets::hash_password(&password)?;
    let agent = store.insert_agent(&email, &name, &hash, &sites, role, now(), None).await?;
    println!("{} {} <{}> created (id {})", agent.role.as_str(), agent.name, agent.email, agent.id);
    Ok(())
}

/// The sites of `--sites`: `*` for every site, else a comma-separated list of configured site ids.
fn site_scope(list: &str, config: &Config) -> Result<SiteScope, Error> {
    if list.trim() == SiteScope::EVERY {
        return Ok(SiteScope::Every);
    }
    let sites: Vec<String> = list.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
    if sites.is_empty() {
        return Err(Error::Config("--sites names at least one site (or '*' for every site)".to_owned()));
    }
    if let Some(unknown) = sites.iter().find(|site| config.site(site).is_none()) {
        return Err(Error::Config(format!("--sites: no site is named `{unknown}` in the configuration")));
    }
    Ok(SiteScope::Only(sites))
}

/// The positional (non-flag) arguments of `args`: values that follow `--flag` are not positional.
fn positional(args: &[String]) -> Vec<&str> {
    let mut out = Vec::new();
    let mut skip = false;
    for arg in args {
        if skip {
            skip = false;
        } else if arg.starts_with("--") {
            skip = arg != "--if-missing";
        } else {
            out.push(arg.as_str());
        }
    }
    out
}

async fn faq_command(command: &str, args: &[String]) -> Result<(), Error> {
    use accueil_server::faq::{export, import, published};
    let usage = || Error::Config(format!("see the faq commands in:\n{USAGE}"));
    let dir = positional(args).first().map(PathBuf::from);
    let report = |result: Result<import::Imported, Vec<import::Problem>>| match result {
        Ok(imported) => {
            for warning in &imported.warnings {
                eprintln!("warning: {warning}");
            }
            Ok(imported)
        }
        Err(problems) => {
            for problem in &problems {
                eprintln!("{problem}");
            }
            Err(Error::Config(format!("{} problem(s); nothing was imported", problems.len())))
        }
    };
    match command {
        "payload" => {
            let dir = dir.ok_or_else(usage)?;
            let locale = flag(args, "--locale").and_then(accueil_protocol::Locale::from_tag).ok_or_else(usage)?;
            let imported = report(import::read_dir(&dir, &[locale]))?;
            let faq = published::payload("site", locale, 1, &imported.content);
            println!("{}", serde_json::to_string(&faq).map_err(|e| Error::Internal(e.to_string()))?);
            Ok(())
        }
        "check" => {
            let dir = dir.ok_or_else(usage)?;
            let locales = config(args).ok().and_then(|c| c.sites.first().map(|s| s.public.locales.clone()));
            let imported = report(import::read_dir(&dir, &locales.unwrap_or(accueil_protocol::Locale::ALL.to_vec())))?;
            println!("{} entries, all valid", imported.content.entries.len());
            Ok(())
        }
        "import" | "restore" | "export" => {
            let config = config(args)?;
            let site_id = flag(args, "--site").ok_or_else(usage)?;
            let site = config.site(site_id).ok_or_else(|| Error::Config(format!("no site is named `{site_id}`")))?;
            let store = store::open(&config.database_url).await?;
            match command {
                "import" => {
                    let imported = report(import::read_dir(&dir.ok_or_else(usage)?, &site.public.locales))?;
                    let id = store.publish_faq_snapshot(site_id, "import", &imported.content, now()).await?;
                    println!("published snapshot {id} ({} entries)", imported.content.entries.len());
                }
                "restore" => {
                    let published = store.published_faq(site_id).await?.map(|s| s.id);
                    let snapshots = store.faq_snapshots(site_id).await?;
                    let previous = snapshots
                        .iter()
                        .find(|s| published.is_some_and(|p| s.id < p))
                        .ok_or_else(|| Error::Config("there is no earlier snapshot".to_owned()))?;
                    store.publish_existing_faq(site_id, previous.id).await?;
                    println!("published snapshot {} again", previous.id);
                }
                _ => {
                    let published = store
                        .published_faq(site_id)
                        .await?
                        .ok_or_else(|| Error::Config(format!("site `{site_id}` has no published FAQ")))?;
                    let content = store.faq_content(published.id).await?;
                    let written = export::write_dir(&content, &dir.ok_or_else(usage)?)?;
                    println!("wrote {written} entries");
                }
            }
            Ok(())
        }
        _ => Err(usage()),
    }
}
