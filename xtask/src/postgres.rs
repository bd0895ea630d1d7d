//! A throwaway PostgreSQL server for the tests: Debian's binaries, `initdb` in a temporary folder,
//! `pg_ctl` on a random loopback port, no system service. Stopped and deleted when dropped.

use crate::tools::newest_match;
use crate::{Result, run};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The superuser the cluster is made with (trust authentication, loopback only).
const SUPERUSER: &str = "accueil";

pub struct TestPostgres {
    folder: PathBuf,
    bin: PathBuf,
    port: u16,
    as_root: bool,
}

impl TestPostgres {
    /// For tests: without fsync, so creating a database per test is quick.
    pub fn start() -> Result<TestPostgres> {
        TestPostgres::start_with(false)
    }

    /// For benchmarks: every commit flushed to disk, as in production.
    pub fn start_durable() -> Result<TestPostgres> {
        TestPostgres::start_with(true)
    }

    fn start_with(durable: bool) -> Result<TestPostgres> {
        let initdb = newest_match("/usr/lib/postgresql/*/bin/initdb")
            .ok_or("PostgreSQL is missing: apt-get install postgresql (cargo xtask setup does)")?;
        let bin = initdb.parent().map(Path::to_path_buf).unwrap_or_default();
        // Not under the target folder: the `postgres` user must reach it, and root's home is closed.
        let folder = std::env::temp_dir().join(format!("accueil-postgres-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        std::fs::create_dir_all(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
        // initdb refuses to run as root: the cluster then belongs to Debian's `postgres` user.
        let as_root = crate::output(Command::new("id").arg("-u")).is_some_and(|id| id.trim() == "0");
        if as_root {
            run(Command::new("chown").args(["postgres:postgres"]).arg(&folder))?;
        }
        let port = free_port()?;
        let server = TestPostgres { folder, bin, port, as_root };
        let data = server.data_dir();
        server.run_tool("initdb", &["-D", &data.to_string_lossy(), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8"])?;
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync={}",
            server.folder.display(),
            if durable { "on" } else { "off" }
        );
        let log = server.folder.join("log");
        server.run_tool(
            "pg_ctl",
            &["-D", &data.to_string_lossy(), "-o", &options, "-l", &log.to_string_lossy(), "-w", "-t", "60", "start"],
        )?;
        Ok(server)
    }

    /// A superuser's URL without a database name.
    pub fn url(&self) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}", self.port)
    }

    /// An empty database `name`, owned by the superuser.
    pub fn create_database(&self, name: &str) -> Result {
        let port = self.port.to_string();
        self.run_tool("createdb", &["-h", "127.0.0.1", "-p", &port, "-U", SUPERUSER, name])
    }

    /// A copy of database `template` (which nothing may be connected to) named `name`.
    pub fn copy_database(&self, template: &str, name: &str) -> Result {
        let port = self.port.to_string();
        self.run_tool("createdb", &["-h", "127.0.0.1", "-p", &port, "-U", SUPERUSER, "-T", template, name])
    }

    pub fn data_dir(&self) -> PathBuf {
        self.folder.join("data")
    }

    fn run_tool(&self, tool: &str, args: &[&str]) -> Result {
        let program = self.bin.join(tool);
        let mut command = if self.as_root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        run(command.args(args))
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        let data = self.data_dir();
        let _ = self.run_tool("pg_ctl", &["-D", &data.to_string_lossy(), "-m", "immediate", "-w", "-t", "30", "stop"]);
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}
