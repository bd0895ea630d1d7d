//! What visitors download: the loader before the tap, and the widget once opened (document, wasm, JS,
//! CSS), raw, gzip -9 and brotli -q 11, against the budgets of issue 2.

use crate::{Result, root, target_dir};
use std::path::Path;
use std::process::Command;

const LOADER_BROTLI_BUDGET: u64 = 3 * 1024;
const WIDGET_BROTLI_BUDGET: u64 = 150 * 1024;

#[derive(Debug, Default, Clone, Copy)]
pub struct Bytes {
    raw: u64,
    gzip: u64,
    brotli: u64,
}

impl Bytes {
    fn add(self, other: Bytes) -> Bytes {
        Bytes { raw: self.raw + other.raw, gzip: self.gzip + other.gzip, brotli: self.brotli + other.brotli }
    }

    fn json(self) -> String {
        format!(r#"{{"raw":{},"gzip":{},"brotli":{}}}"#, self.raw, self.gzip, self.brotli)
    }
}

pub struct Sizes {
    loader: Bytes,
    widget: Bytes,
    /// The demo FAQ as the widget downloads it (the larger locale), part of the widget's budget.
    faq: Bytes,
    /// Each channel document, opened in the widget's frame when the visitor picks that channel.
    channels: Vec<(String, Bytes)>,
}

impl Sizes {
    pub fn within_budget(&self) -> bool {
        self.loader.brotli <= LOADER_BROTLI_BUDGET
            && self.widget.brotli + self.faq.brotli <= WIDGET_BROTLI_BUDGET
            && self.channels.iter().all(|(_, bytes)| bytes.brotli <= WIDGET_BROTLI_BUDGET)
    }
}

/// The document, wasm, JS and CSS files directly in `dir`, measured, largest first, and their sum.
fn measure_document(dir: &Path) -> Result<(Vec<(String, Bytes)>, Bytes)> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("{}: {e} (run `cargo xtask build` first)", dir.display()))?;
    let mut total = Bytes::default();
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if matches!(path.extension().and_then(|e| e.to_str()), Some("wasm" | "js" | "css" | "html")) {
            let bytes = measure(&path)?;
            files.push((path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(), bytes));
            total = total.add(bytes);
        }
    }
    files.sort_by_key(|f| std::cmp::Reverse(f.1.raw));
    Ok((files, total))
}

/// The JSON the widget downloads for the demo FAQ, made by the server's own code.
fn demo_faq_payload(locale: &str) -> Result<std::path::PathBuf> {
    let server = target_dir().join("debug/accueil");
    if !server.exists() {
        crate::run(crate::cargo().args(["build", "-p", "accueil-server"]))?;
    }
    let out = Command::new(&server)
        .args(["faq", "payload"])
        .arg(root().join("crates/server/demo/faq"))
        .args(["--locale", locale])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", server.display()))?;
    if !out.status.success() {
        return Err(format!("the demo FAQ does not build: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let path = target_dir().join(format!("faq-{locale}.json"));
    std::fs::write(&path, &out.stdout).map_err(|e| e.to_string())?;
    Ok(path)
}

fn compressed_len(program: &str, args: &[&str], file: &Path) -> Result<u64> {
    let out = Command::new(program).args(args).arg(file).output().map_err(|e| format!("cannot run {program}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{program} failed on {}", file.display()));
    }
    Ok(out.stdout.len() as u64)
}

fn measure(file: &Path) -> Result<Bytes> {
    let raw = std::fs::metadata(file).map_err(|e| format!("{}: {e}", file.display()))?.len();
    Ok(Bytes {
        raw,
        gzip: compressed_len("gzip", &["-9", "-c"], file)?,
        brotli: compressed_len("brotli", &["-q", "11", "-c"], file)?,
    })
}

pub fn report() -> Result<Sizes> {
    let loader = measure(&root().join("crates/server/loader/accueil.js"))?;
    let dist = root().join("dist/widget");
    let (files, widget) = measure_document(&dist)?;
    println!("{:<48} {:>10} {:>10} {:>10}", "file", "raw", "gzip", "brotli");
    println!("{:<48} {:>10} {:>10} {:>10}", "accueil.js (loader)", loader.raw, loader.gzip, loader.brotli);
    for (name, b) in &files {
        println!("{:<48} {:>10} {:>10} {:>10}", format!("widget/{name}"), b.raw, b.gzip, b.brotli);
    }
    println!("{:<48} {:>10} {:>10} {:>10}", "widget total (opened)", widget.raw, widget.gzip, widget.brotli);
    let mut faq = Bytes::default();
    for locale in ["fr", "en"] {
        let bytes = measure(&demo_faq_payload(locale)?)?;
        println!(
            "{:<48} {:>10} {:>10} {:>10}",
            format!("demo FAQ payload ({locale})"),
            bytes.raw,
            bytes.gzip,
            bytes.brotli
        );
        if bytes.brotli > faq.brotli {
            faq = bytes;
        }
    }
    let with_faq = widget.add(faq);
    println!(
        "{:<48} {:>10} {:>10} {:>10}",
        "widget + larger FAQ payload", with_faq.raw, with_faq.gzip, with_faq.brotli
    );
    let mut channels = Vec::new();
    for (channel, _) in crate::build::CHANNEL_DOCUMENTS {
        let (files, total) = measure_document(&dist.join(channel))?;
        for (name, b) in &files {
            println!("{:<48} {:>10} {:>10} {:>10}", format!("widget/{channel}/{name}"), b.raw, b.gzip, b.brotli);
        }
        let label = format!("{channel} document total");
        println!("{label:<48} {:>10} {:>10} {:>10}", total.raw, total.gzip, total.brotli);
        channels.push(((*channel).to_owned(), total));
    }
    let channels_json: Vec<String> = channels.iter().map(|(name, b)| format!(r#""{name}":{}"#, b.json())).collect();
    let sizes = Sizes { loader, widget, faq, channels };
    println!(
        r#"{{"loader":{},"widget":{},"faq_payload":{},"widget_with_faq":{},"channel_documents":{{{}}},"budget_brotli":{{"loader":{LOADER_BROTLI_BUDGET},"widget_with_faq":{WIDGET_BROTLI_BUDGET},"channel_document":{WIDGET_BROTLI_BUDGET}}},"within_budget":{}}}"#,
        loader.json(),
        widget.json(),
        faq.json(),
        with_faq.json(),
        channels_json.join(","),
        sizes.within_budget()
    );
    Ok(sizes)
}
