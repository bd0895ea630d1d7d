//! `spawn_app`: a real server for one test, and small helpers to read its JSON errors.

use accueil_protocol::{AgentRole, ErrorBody, ErrorCode};
use accueil_server::config::Config;
use accueil_server::startup::Application;
use accueil_server::store::SiteScope;
use sqlx::Connection;
use std::path::Path;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub database_url: String,
    pub config: Config,
    /// `/metrics`, when the test asked for it (`ACCUEIL_METRICS_LISTEN`).
    pub metrics_url: Option<String>,
    /// Deleted (with the database and static files) when the test ends; shared by the nodes of a test.
    _dir: std::sync::Arc<tempfile::TempDir>,
}

impl TestApp {
    /// The sites as the file configures them, as the retention passes take them.
    pub fn file_sites(&self) -> Vec<std::sync::Arc<accueil_server::config::Site>> {
        self.config.sites.iter().cloned().map(std::sync::Arc::new).collect()
    }
}

pub const SHOP_ORIGIN: &str = "https://shop.example";
pub const WEBHOOK_SECRET: &str = "a-webhook-secret-for-tests";
/// The demo site's identity secrets: the current one and the one being rotated out.
pub const IDENTITY_SECRET: &str = "the-current-identity-secret-for-tests";
pub const IDENTITY_OLD_SECRET: &str = "the-previous-identity-secret-for-tests";

pub fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().expect("has a parent")).expect("dir");
    std::fs::write(path, text).expect("file");
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| None).await
}

/// A FAQ entry file as product teams write them.
pub fn faq_entry(id: &str, question: &str, answer: &str) -> String {
    format!(
        "+++\nid = \"{id}\"\nquestion = \"{question}\"\ncategory = \"Livraison\"\norder = 1\nupdated = \"2026-11-02\"\n+++\n\n{answer}\n"
    )
}

pub async fn spawn_app_with(env: impl Fn(&str) -> Option<String>) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let statics = dir.path().join("dist");
    write(&statics, "widget/index.html", "<!doctype html><title>widget</title>");
    write(&statics, "widget/callback/index.html", "<!doctype html><title>callback</title>");
    write(&statics, "widget/accueil-widget-0123456789abcdef.js", &"export const widget = 1;\n".repeat(40));
    write(&statics, "console/index.html", "<!doctype html><title>console</title>");
    let faq = dir.path().join("faq");
    write(
        &faq,
        "fr/delivery-costs.md",
        &faq_entry(
            "delivery-costs",
            "Combien coûte la livraison ?",
            "**Offerte** dès 80 €. Voir [délais](faq:delivery-times).",
        ),
    );
    write(
        &faq,
        "fr/delivery-times.md",
        &faq_entry("delivery-times", "Quels sont les délais de livraison ?", "Sous 48 h <script>alert(1)</script>."),
    );
    write(&faq, "fr/synonyms.toml", "groups = [[\"livraison\", \"colis\"]]\n");
    start(std::sync::Arc::new(dir), env).await
}

/// The PostgreSQL server the suite runs against instead of SQLite files, when the test command started
/// one: `ACCUEIL_TEST_POSTGRES_URL` is a superuser's URL without a database name. Each test then gets a
/// database of its own.
pub fn postgres_server() -> Option<String> {
    std::env::var("ACCUEIL_TEST_POSTGRES_URL").ok().filter(|url| !url.is_empty())
}

pub async fn new_postgres_database(server: &str) -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().subsec_nanos();
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = format!("test_{}_{nanos}_{n}", std::process::id());
    let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres")).await.expect("the test PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("database created");
    format!("{server}/{name}")
}

/// Whether `needle` is anywhere in the files the database keeps: the SQLite file and its WAL, or the
/// whole data folder of the test PostgreSQL (every table, index and WAL segment).
pub fn stored_anywhere(app: &TestApp, needle: &[u8]) -> bool {
    let contains =
        |path: &Path| std::fs::read(path).is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle));
    match std::env::var_os("ACCUEIL_TEST_POSTGRES_DATA").filter(|_| app.database_url.starts_with("postgres")) {
        Some(data) => {
            let mut folders = vec![std::path::PathBuf::from(data)];
            while let Some(folder) = folders.pop() {
                for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
                    let path = entry.path();
                    if path.is_dir() {
                        folders.push(path);
                    } else if contains(&path) {
                        return true;
                    }
                }
            }
            false
        }
        None => contains(&app.dir().join("test.db")) || contains(&app.dir().join("test.db-wal")),
    }
}

/// Starts (or restarts) a server on the files of `dir`, on the test PostgreSQL when there is one.
pub async fn start(dir: std::sync::Arc<tempfile::TempDir>, env: impl Fn(&str) -> Option<String>) -> TestApp {
    let database = match (env("ACCUEIL_DATABASE_URL"), postgres_server()) {
        (Some(url), _) => Some(url),
        (None, Some(server)) => Some(new_postgres_database(&server).await),
        (None, None) => None,
    };
    let env = move |key: &str| if key == "ACCUEIL_DATABASE_URL" { database.clone() } else { env(key) };
    let toml = format!(
        r##"
        listen = "127.0.0.1:0"
        database_url = "sqlite://test.db"
        static_dir = "dist"
        # Loading the sentence-embedding model costs seconds: only the tests of the semantic search do.
        search_model = "{search_model}"

        {mail}

        [[site]]
        id = "demo"
        name = "Maison Lumière"
        allowed_origins = ["{SHOP_ORIGIN}"]
        locales = ["fr"]
        primary_color = "#8a3b12"
        features = ["faq", "chat", "callback", "community"]
        faq_dir = "faq"
        business_hours = {{ time_zone = "Europe/Paris", weekly = [{{ days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], opens = "00:00", closes = "23:59" }}] }}

        [site.callback]
        countries = ["FR", "BE"]
        capacity_per_slot = 2
        consent_version = "v1"
        consent_text = {{ fr = "J'accepte d'être appelé." }}
        {webhook}

        [site.community]
        moderation = "{moderation}"
        word_filter = ["arnaque"]

        [site.identity]
        secrets = ["{IDENTITY_SECRET}", "{IDENTITY_OLD_SECRET}"]
        es256_public_key = """{es256}"""
        max_age_seconds = 600

        # Another brand on the same server: its agents must never see the first one's data.
        [[site]]
        id = "autre"
        name = "Autre Maison"
        allowed_origins = ["https://autre.example"]
        locales = ["fr"]
        primary_color = "#225588"
        features = ["faq", "chat", "community"]
        business_hours = {{ time_zone = "Europe/Paris", weekly = [{{ days = ["mon"], opens = "09:00", closes = "18:00" }}] }}
        "##,
        es256 = include_str!("keys/es256-public.pem"),
        moderation = env("TEST_MODERATION").unwrap_or_else(|| "post".to_owned()),
        search_model = env("TEST_SEARCH_MODEL").unwrap_or_else(|| "off".to_owned()),
        mail = match (env("TEST_NO_MAIL"), env("TEST_MAIL_TRANSPORT")) {
            (Some(_), _) => String::new(),
            // A transport line of the test's own (`smtp_url = …`, `sendmail = …`).
            (None, Some(transport)) => {
                format!("[mail]\nfrom = \"Maison Lumière <ne-pas-repondre@shop.example>\"\n{transport}")
            }
            (None, None) => {
                "[mail]\nfrom = \"Maison Lumière <ne-pas-repondre@shop.example>\"\npickup_dir = \"mail\"".to_owned()
            }
        },
        webhook = env("TEST_WEBHOOK_URL")
            .map(|url| format!("webhook_url = \"{url}\"\nwebhook_secret = \"{WEBHOOK_SECRET}\""))
            .unwrap_or_default(),
    );
    let config = Config::from_toml(&toml, dir.path(), env).expect("test config is valid");
    let database_url = config.database_url.clone();
    serve(config, database_url, dir).await
}

async fn serve(config: Config, database_url: String, dir: std::sync::Arc<tempfile::TempDir>) -> TestApp {
    let app = Application::build(config.clone()).await.expect("server starts");
    let address = app.local_addr().expect("bound");
    let metrics_url = app.metrics_addr().map(|address| format!("http://{address}/metrics"));
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    TestApp { base: format!("http://{address}"), client, database_url, config, metrics_url, _dir: dir }
}

impl TestApp {
    pub fn dir(&self) -> &Path {
        self._dir.path()
    }

    /// A second server node on the same database and files, on a port of its own (as behind a load
    /// balancer).
    pub async fn another_node(&self) -> TestApp {
        serve(self.config.clone(), self.database_url.clone(), self._dir.clone()).await
    }

    /// Stops serving from this test's point of view and starts a new server on the same files and database.
    pub async fn restart(self) -> TestApp {
        let url = self.database_url.clone();
        let same_database = move |key: &str| (key == "ACCUEIL_DATABASE_URL").then(|| url.clone());
        start(self._dir, same_database).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Creates an agent and signs in: the `Cookie` header value of its console session.
    pub async fn signed_in(&self) -> String {
        self.signed_in_as("camille@maison-lumiere.example").await
    }

    /// Creates the agent of `email` and signs in: the `Cookie` header value of its console session.
    pub async fn signed_in_as(&self, email: &str) -> String {
        let password = "correct horse battery staple";
        self.add_agent(email, password).await;
        self.login(email, password).await
    }

    /// Signs in: the `Cookie` header value of the console session.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let login = self
            .client
            .post(self.url("/v1/agent/login"))
            .json(&serde_json::json!({"email": email, "password": password}))
            .send()
            .await
            .expect("login");
        let cookie = login.headers()["set-cookie"].to_str().expect("cookie").to_owned();
        cookie.split(';').next().unwrap_or_default().to_owned()
    }

    /// GETs `path` without credentials (a public route) and reads the JSON answer.
    pub async fn public_get<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        let response = self.client.get(self.url(path)).send().await.expect("sent");
        assert!(response.status().is_success(), "{path}: {}", response.status());
        response.json().await.expect("JSON answer")
    }

    /// GETs `path` as the signed-in agent of `cookie` and reads the JSON answer.
    pub async fn agent_get<T: serde::de::DeserializeOwned>(&self, path: &str, cookie: &str) -> T {
        let response = self.client.get(self.url(path)).header("cookie", cookie).send().await.expect("sent");
        assert!(response.status().is_success(), "{path}: {}", response.status());
        response.json().await.expect("JSON answer")
    }

    /// Creates an agent of the `demo` site straight in the database, as `accueil agent add` does.
    pub async fn add_agent(&self, email: &str, password: &str) {
        self.add_agent_on(email, password, &SiteScope::Only(vec!["demo".to_owned()])).await;
    }

    /// An administrator of `sites`: what every account was before roles.
    pub async fn add_agent_on(&self, email: &str, password: &str, sites: &SiteScope) {
        self.add_agent_as(email, password, sites, AgentRole::Administrator).await;
    }

    pub async fn add_agent_as(&self, email: &str, password: &str, sites: &SiteScope, role: AgentRole) {
        let store = accueil_server::store::open(&self.database_url).await.expect("store");
        let hash = accueil_server::secrets::hash_password(password).expect("hash");
        // The name is the address's first part, capitalised: camille@… is Camille, hugo@… is Hugo.
        let local = email.split('@').next().unwrap_or_default();
        let name = local[..1].to_uppercase() + &local[1..];
        store
            .insert_agent(email, &name, &hash, sites, role, accueil_server::now(), None)
            .await
            .expect("agent inserted");
    }

    /// Creates an agent who works on `sites` and signs in: the `Cookie` header value of its session.
    pub async fn signed_in_on(&self, email: &str, sites: &SiteScope) -> String {
        self.signed_in_with_role(email, sites, AgentRole::Administrator).await
    }

    /// Creates an account with `role` on `sites` and signs in: the `Cookie` header value of its session.
    pub async fn signed_in_with_role(&self, email: &str, sites: &SiteScope, role: AgentRole) -> String {
        let password = "correct horse battery staple";
        self.add_agent_as(email, password, sites, role).await;
        self.login(email, password).await
    }
}

/// The mails in the pickup folder addressed to `to`, each with its base64 parts decoded after it.
pub fn mails_to(app: &TestApp, to: &str) -> Vec<String> {
    let Ok(files) = std::fs::read_dir(app.dir().join("mail")) else { return Vec::new() };
    let mut mails: Vec<(std::time::SystemTime, String)> = files
        .flatten()
        .filter_map(|file| Some((file.metadata().ok()?.modified().ok()?, std::fs::read_to_string(file.path()).ok()?)))
        .filter(|(_, mail)| mail.contains(&format!("To: {to}\r\n")))
        .collect();
    mails.sort();
    mails.into_iter().map(|(_, mail)| mail.clone() + &decoded_parts(&mail)).collect()
}

/// A mail's base64 parts, decoded and put end to end.
pub fn decoded_parts(mail: &str) -> String {
    mail.split("\r\n\r\n")
        .filter_map(|part| {
            let base64: String = part.lines().take_while(|l| !l.starts_with("--")).collect();
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.decode(base64).ok()
        })
        .filter_map(|bytes| String::from_utf8(bytes).ok())
        .collect()
}

/// Asserts the standard error body with `code`, and returns the `(field, reason)` pairs it names.
pub async fn error_fields(response: reqwest::Response, status: u16, code: ErrorCode) -> Vec<(String, String)> {
    assert_eq!(response.status().as_u16(), status, "status");
    let content_type = response.headers()["content-type"].to_str().unwrap_or_default().to_owned();
    assert!(content_type.starts_with("application/json"), "errors are JSON, got {content_type}");
    let body: ErrorBody = response.json().await.expect("the standard error shape");
    assert_eq!(body.error.code, code, "{body:?}");
    assert!(!body.error.message.is_empty());
    body.error.fields.into_iter().map(|f| (f.field, f.reason)).collect()
}
