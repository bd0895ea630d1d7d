//! Server configuration: a TOML file plus `ACCUEIL_*` environment variables, read once at start and
//! validated into [`Config`], so the rest of the server never sees a raw or invalid setting.

use crate::error::Error;
use accueil_protocol as wire;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The file as written by an operator: close to the TOML, unchecked.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    listen: Option<String>,
    public_url: Option<String>,
    database_url: Option<String>,
    /// Holds `widget/` and `console/`, as built by `cargo xtask build`.
    static_dir: Option<PathBuf>,
    /// A brand page served at `/` (the demo); absent in production.
    demo_page_dir: Option<PathBuf>,
    #[serde(default, rename = "site")]
    sites: Vec<RawSite>,
    #[serde(default)]
    mail: Option<RawMail>,
    /// Connections one client address may hold open at once (0: no cap).
    max_connections_per_address: Option<usize>,
    /// Load balancers whose `X-Forwarded-For` names the client (addresses or networks).
    #[serde(default)]
    trusted_proxies: Vec<String>,
    /// Where `/metrics` is served (an address only operators reach); absent: not served.
    metrics_listen: Option<String>,
    /// The folder of the FAQ search's sentence-embedding model (`e5-small-q4.bin`), or "off";
    /// absent: where `cargo xtask setup` installs it if it is there, else lexical search only.
    search_model: Option<String>,
}

/// How the server sends the only mail it sends: chat transcripts a visitor asked for.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMail {
    from: String,
    /// A folder where each message is written as an `.eml` file (the demo, or a pickup folder).
    #[serde(default)]
    pickup_dir: Option<PathBuf>,
    /// A sendmail-compatible program (Postfix, msmtp...) that takes the message on its input.
    #[serde(default)]
    sendmail: Option<PathBuf>,
    /// An SMTP server: `smtps://user:password@smtp.example.com:465` (TLS), or `smtp://...?tls=required`
    /// (STARTTLS). Better set through ACCUEIL_MAIL_SMTP_URL, which keeps the password out of the file.
    #[serde(default)]
    smtp_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawChat {
    /// Past this estimated wait, the widget offers a callback or a message before the visitor types.
    #[serde(default = "default_long_wait")]
    long_wait_minutes: u32,
}

fn default_long_wait() -> u32 {
    10
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    id: String,
    name: String,
    /// Origins allowed to embed the widget; `"self"` stands for the server's own public origin.
    allowed_origins: Vec<String>,
    locales: Vec<wire::Locale>,
    primary_color: String,
    #[serde(default = "default_position")]
    position: wire::LauncherPosition,
    features: Vec<String>,
    business_hours: wire::BusinessHours,
    /// A folder of FAQ Markdown, one sub-folder per locale, imported at start when it changed.
    #[serde(default)]
    faq_dir: Option<PathBuf>,
    /// Required with the `callback` feature.
    #[serde(default)]
    callback: Option<RawCallback>,
    #[serde(default)]
    community: Option<RawCommunity>,
    #[serde(default)]
    chat: Option<RawChat>,
    #[serde(default)]
    retention: RawRetention,
    #[serde(default)]
    identity: Option<RawIdentity>,
}

/// How the brand vouches for its signed-in customers.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawIdentity {
    /// One or two secrets (two while rotating), for HMAC proofs and HS256 JWTs.
    #[serde(default)]
    secrets: Vec<String>,
    /// The brand's ES256 public key (PEM), for ES256 JWTs.
    #[serde(default)]
    es256_public_key: Option<String>,
    #[serde(default = "default_identity_max_age")]
    max_age_seconds: i64,
}

/// Ten minutes: a page signs when it renders, and the visitor taps the launcher a little later.
fn default_identity_max_age() -> i64 {
    600
}

/// How long a site keeps what visitors leave, in days.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawRetention {
    #[serde(default = "default_chat_days")]
    chat_days: u32,
    #[serde(default = "default_inactive_session_days")]
    inactive_session_days: u32,
    #[serde(default = "default_report_days")]
    report_days: u32,
}

impl Default for RawRetention {
    fn default() -> RawRetention {
        RawRetention {
            chat_days: default_chat_days(),
            inactive_session_days: default_inactive_session_days(),
            report_days: default_report_days(),
        }
    }
}

/// A year: a customer coming back about last season's order finds the conversation.
fn default_chat_days() -> u32 {
    365
}
/// Thirteen months, the CNIL's longest life for an identifier kept in a visitor's browser.
fn default_inactive_session_days() -> u32 {
    395
}
/// Six months: long enough to see a pattern of abuse, short enough not to keep a grudge.
fn default_report_days() -> u32 {
    180
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawCommunity {
    /// `post` (visible at once, the default) or `pre` (a moderator approves first).
    #[serde(default)]
    moderation: Option<String>,
    #[serde(default)]
    word_filter: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawCallback {
    #[serde(default = "default_slot_minutes")]
    slot_minutes: u32,
    #[serde(default = "default_capacity")]
    capacity_per_slot: u32,
    #[serde(default = "default_days_ahead")]
    days_ahead: u32,
    /// ISO 3166 codes of the countries called, the default first.
    countries: Vec<String>,
    consent_version: String,
    /// The consent text per locale; every locale of the site needs one.
    consent_text: std::collections::BTreeMap<wire::Locale, String>,
    #[serde(default = "default_retention_days")]
    phone_retention_days: u32,
    #[serde(default = "default_daily_cap")]
    daily_cap_per_phone: u32,
    #[serde(default)]
    webhook_url: Option<String>,
    #[serde(default)]
    webhook_secret: Option<String>,
    /// The kinds of numbers called back (libphonenumber's names); premium-rate, shared-cost and
    /// personal numbers are left out by default, so a visitor cannot make the brand pay to call one.
    #[serde(default)]
    number_types: Option<Vec<String>>,
}

fn default_slot_minutes() -> u32 {
    30
}
fn default_capacity() -> u32 {
    2
}
fn default_days_ahead() -> u32 {
    6
}
fn default_retention_days() -> u32 {
    30
}
fn default_daily_cap() -> u32 {
    3
}

fn default_position() -> wire::LauncherPosition {
    wire::LauncherPosition::BottomRight
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// Scheme, host and port the world reaches this server at, without a trailing slash.
    pub public_url: String,
    pub database_url: String,
    pub static_dir: Option<PathBuf>,
    pub demo_page_dir: Option<PathBuf>,
    pub sites: Vec<Site>,
    /// Absent: transcripts by email are refused as unavailable.
    pub mail: Option<MailSettings>,
    /// Connections one client address may hold open at once (0: no cap). Generous by default: a
    /// company or a mobile carrier puts many visitors behind one address, each with a live chat.
    pub max_connections_per_address: usize,
    /// The load balancers in front of this node: only their `X-Forwarded-For` is believed, and they
    /// are not held to `max_connections_per_address`.
    pub trusted_proxies: crate::proxies::TrustedProxies,
    /// Where `/metrics` is served, apart from the public listener; `None`: nowhere.
    pub metrics_listen: Option<SocketAddr>,
    pub search_model: SearchModel,
}

/// Which sentence-embedding model the FAQ search uses.
#[derive(Debug, Clone, PartialEq)]
pub enum SearchModel {
    /// The one `cargo xtask setup` installs (`~/.cache/accueil/models/e5-small`), when it is there.
    Installed,
    /// None: lexical search only.
    Off,
    Folder(PathBuf),
}

/// The default of `max_connections_per_address`.
pub const CONNECTIONS_PER_ADDRESS: usize = 256;

#[derive(Debug, Clone)]
pub struct MailSettings {
    pub from: String,
    pub transport: MailTransport,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MailTransport {
    PickupDir(PathBuf),
    Sendmail(PathBuf),
    /// An SMTP URL, as lettre reads it.
    Smtp(SmtpUrl),
}

/// An SMTP URL, which may carry a password: its `Debug` shows only the scheme.
#[derive(Clone, PartialEq)]
pub struct SmtpUrl(pub String);

impl std::fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = self.0.split("://").next().unwrap_or("smtp");
        write!(f, "{scheme}://…")
    }
}

/// One brand site: its public config as the widget receives it and who may embed it.
#[derive(Debug, Clone)]
pub struct Site {
    pub public: wire::SiteConfig,
    pub allowed_origins: Vec<String>,
    pub faq_dir: Option<PathBuf>,
    /// The business hours' zone, resolved once.
    pub time_zone: jiff::tz::TimeZone,
    /// Present when the callback feature is on.
    pub callback: Option<CallbackSettings>,
    /// Present when the community feature is on.
    pub community: Option<CommunitySettings>,
    /// Past this estimated wait in minutes, the wait counts as long.
    pub long_wait_minutes: u32,
    pub retention: Retention,
    /// Absent: identities are never verified (a claim stays a claim).
    pub identity: Option<IdentitySettings>,
    /// This site's section as TOML, defaults written out and secrets left out: settings as code, to
    /// export from the console.
    pub settings_toml: String,
    /// The section as written, secrets included: what the console edits and the store keeps.
    raw: RawSite,
}

/// A setting refused: where (its path in the console's form, which is its key in the file) and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub field: String,
    pub reason: String,
}

impl Problem {
    fn new(field: &str, reason: impl Into<String>) -> Problem {
        Problem { field: field.to_owned(), reason: reason.into() }
    }
}

/// A site's ways to verify its customers' identities.
#[derive(Debug, Clone)]
pub struct IdentitySettings {
    /// Active secrets, one or two (rotation); at least 32 characters each.
    pub secrets: Vec<String>,
    pub es256_public_key: Option<String>,
    /// A proof older than this is refused.
    pub max_age_seconds: i64,
}

/// How long a site keeps each kind of item, in days (at least one each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// A closed conversation with its messages.
    pub chat_days: u32,
    /// A session nobody used, with everything tied to it.
    pub inactive_session_days: u32,
    /// A report on a community post.
    pub report_days: u32,
}

#[derive(Debug, Clone, Default)]
pub struct CommunitySettings {
    /// New posts wait for a moderator.
    pub pre_moderation: bool,
    /// Words refused in posts and pseudonyms.
    pub word_filter: Vec<String>,
}

/// A site's callback settings, validated.
#[derive(Debug, Clone)]
pub struct CallbackSettings {
    pub slot_minutes: u32,
    pub capacity_per_slot: u32,
    pub days_ahead: u32,
    /// The countries called, the default first.
    pub countries: Vec<wire::CallingCountry>,
    pub consent_version: String,
    pub consent_text: std::collections::BTreeMap<wire::Locale, String>,
    pub phone_retention_days: u32,
    pub daily_cap_per_phone: u32,
    pub webhook: Option<Webhook>,
    /// The kinds of numbers this site calls back.
    pub number_types: Vec<phonenumber::Type>,
}

#[derive(Debug, Clone)]
pub struct Webhook {
    pub url: String,
    pub secret: String,
}

impl Config {
    /// Reads the file named by `ACCUEIL_CONFIG` (or `path`), then applies environment overrides.
    pub fn load(path: Option<&Path>) -> Result<Config, Error> {
        let from_env = std::env::var_os("ACCUEIL_CONFIG").map(PathBuf::from);
        let path = from_env.or_else(|| path.map(Path::to_path_buf));
        let (raw, base) = match &path {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| Error::Config(format!("cannot read {}: {e}", path.display())))?;
                let raw = toml::from_str::<RawConfig>(&text)
                    .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
                (raw, path.parent().map(Path::to_path_buf).unwrap_or_default())
            }
            None => (toml::from_str::<RawConfig>("").map_err(|e| Error::Config(e.to_string()))?, PathBuf::new()),
        };
        Config::from_raw(raw, &base, |key| std::env::var(key).ok())
    }

    /// Parses a TOML text (relative paths against `base`) with the given environment; for tests.
    pub fn from_toml(text: &str, base: &Path, env: impl Fn(&str) -> Option<String>) -> Result<Config, Error> {
        let raw = toml::from_str::<RawConfig>(text).map_err(|e| Error::Config(e.to_string()))?;
        Config::from_raw(raw, base, env)
    }

    fn from_raw(raw: RawConfig, base: &Path, env: impl Fn(&str) -> Option<String>) -> Result<Config, Error> {
        let listen_text = env("ACCUEIL_LISTEN").or(raw.listen).unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let listen: SocketAddr = listen_text
            .parse()
            .map_err(|_| Error::Config(format!("listen: `{listen_text}` is not an address like 127.0.0.1:8080")))?;
        let public_url = env("ACCUEIL_PUBLIC_URL")
            .or(raw.public_url)
            .unwrap_or_else(|| format!("http://{listen}"))
            .trim_end_matches('/')
            .to_owned();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(Error::Config(format!("public_url: `{public_url}` must start with http:// or https://")));
        }
        let resolve = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
        let database_url =
            env("ACCUEIL_DATABASE_URL").or(raw.database_url).unwrap_or_else(|| "sqlite://accueil.db".to_owned());
        let database_url = match database_url.strip_prefix("sqlite://") {
            Some(file) if !file.starts_with('/') && !file.starts_with(':') => {
                format!("sqlite://{}", resolve(PathBuf::from(file)).display())
            }
            Some(_) => database_url,
            None if database_url.starts_with("sqlite:")
                || database_url.starts_with("postgres://")
                || database_url.starts_with("postgresql://") =>
            {
                database_url
            }
            None => {
                return Err(Error::Config(
                    "database_url: use sqlite://FILE or postgres://USER@HOST:PORT/DATABASE".to_owned(),
                ));
            }
        };
        let static_dir = env("ACCUEIL_STATIC_DIR").map(PathBuf::from).or(raw.static_dir).map(resolve);
        let demo_page_dir = raw.demo_page_dir.map(resolve);

        let mut seen = HashSet::new();
        let mut sites = Vec::new();
        for raw_site in raw.sites {
            if !seen.insert(raw_site.id.clone()) {
                return Err(Error::Config(format!("site `{}` is configured twice", raw_site.id)));
            }
            let id = raw_site.id.clone();
            let mut site = Site::from_raw(raw_site, &public_url)
                .map_err(|problem| Error::Config(format!("site `{id}`: {}: {}", problem.field, problem.reason)))?;
            site.faq_dir = site.faq_dir.take().map(resolve);
            sites.push(site);
        }
        let mail = match raw.mail {
            None => None,
            Some(mail) => {
                if mail.from.parse::<lettre::message::Mailbox>().is_err() {
                    return Err(Error::Config(format!("mail: from `{}` is not an address", mail.from)));
                }
                let pickup_dir = env("ACCUEIL_MAIL_PICKUP_DIR").map(PathBuf::from).or(mail.pickup_dir);
                let smtp_url = env("ACCUEIL_MAIL_SMTP_URL").or(mail.smtp_url);
                let transport = match (pickup_dir, mail.sendmail, smtp_url) {
                    (Some(dir), None, None) => MailTransport::PickupDir(resolve(dir)),
                    (None, Some(program), None) => MailTransport::Sendmail(program),
                    (None, None, Some(url)) => {
                        if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                            return Err(Error::Config("mail: smtp_url starts with smtp:// or smtps://".to_owned()));
                        }
                        MailTransport::Smtp(SmtpUrl(url))
                    }
                    _ => {
                        return Err(Error::Config("mail: set one of pickup_dir, sendmail or smtp_url".to_owned()));
                    }
                };
                Some(MailSettings { from: mail.from, transport })
            }
        };
        let trusted_proxies = match env("ACCUEIL_TRUSTED_PROXIES") {
            Some(list) => list.split(',').map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned).collect(),
            None => raw.trusted_proxies.clone(),
        };
        let trusted_proxies = crate::proxies::TrustedProxies(
            trusted_proxies
                .iter()
                .map(|network| network.parse())
                .collect::<Result<_, String>>()
                .map_err(|why| Error::Config(format!("trusted_proxies: {why}")))?,
        );
        let metrics_listen = match env("ACCUEIL_METRICS_LISTEN").or_else(|| raw.metrics_listen.clone()) {
            Some(text) => Some(text.trim().parse::<SocketAddr>().map_err(|_| {
                Error::Config(format!("metrics_listen: `{text}` is not an address and port such as 127.0.0.1:9090"))
            })?),
            None => None,
        };
        let max_connections_per_address = match env("ACCUEIL_MAX_CONNECTIONS_PER_ADDRESS") {
            Some(text) => text.trim().parse().map_err(|_| {
                Error::Config(format!("ACCUEIL_MAX_CONNECTIONS_PER_ADDRESS: `{text}` is not a whole number"))
            })?,
            None => raw.max_connections_per_address.unwrap_or(CONNECTIONS_PER_ADDRESS),
        };
        Ok(Config {
            listen,
            public_url,
            database_url,
            static_dir,
            demo_page_dir,
            sites,
            mail,
            max_connections_per_address,
            trusted_proxies,
            metrics_listen,
            search_model: match env("ACCUEIL_SEARCH_MODEL").or(raw.search_model) {
                None => SearchModel::Installed,
                Some(off) if off == "off" => SearchModel::Off,
                Some(folder) => SearchModel::Folder(resolve(PathBuf::from(folder))),
            },
        })
    }

    pub fn site(&self, id: &str) -> Option<&Site> {
        self.sites.iter().find(|s| s.public.site == id)
    }

    /// Cookies get `Secure` when the public URL is https (a plain-http demo would otherwise lose them).
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

impl Site {
    fn from_raw(raw: RawSite, public_url: &str) -> Result<Site, Problem> {
        let settings_toml = exported(&raw).map_err(|why| Problem::new("site", why.to_string()))?;
        let source = raw.clone();
        if raw.id.is_empty() || !raw.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(Problem::new("id", "use letters, digits, `-` and `_` only"));
        }
        if raw.name.trim().is_empty() || raw.name.chars().count() > 80 {
            return Err(Problem::new("name", "give the brand's name, 80 characters at most"));
        }
        let Some(&default_locale) = raw.locales.first() else {
            return Err(Problem::new("locales", "name at least one locale"));
        };
        if raw.locales.iter().enumerate().any(|(i, l)| raw.locales[..i].contains(l)) {
            return Err(Problem::new("locales", "each locale once"));
        }
        let primary = parse_hex_color(&raw.primary_color)
            .ok_or_else(|| Problem::new("primary_color", format!("`{}` is not a #rrggbb colour", raw.primary_color)))?;
        let mut features = wire::Features { faq: false, chat: false, callback: false, community: false };
        for name in &raw.features {
            let flag = match name.as_str() {
                "faq" => &mut features.faq,
                "chat" => &mut features.chat,
                "callback" => &mut features.callback,
                "community" => &mut features.community,
                other => return Err(Problem::new("features", format!("unknown feature `{other}`"))),
            };
            *flag = true;
        }
        check_hours(&raw.business_hours)?;
        let time_zone = jiff::tz::TimeZone::get(&raw.business_hours.time_zone).map_err(|_| {
            Problem::new(
                "business_hours.time_zone",
                format!("`{}` is not an IANA time zone", raw.business_hours.time_zone),
            )
        })?;
        let callback = match (features.callback, raw.callback) {
            (true, None) => {
                return Err(Problem::new("callback", "the callback feature needs a [site.callback] section"));
            }
            (true, Some(callback)) => Some(callback_settings(callback, &raw.locales)?),
            (false, _) => None,
        };
        let community = match (features.community, raw.community) {
            (false, _) => None,
            (true, None) => Some(CommunitySettings::default()),
            (true, Some(raw)) => Some(CommunitySettings {
                pre_moderation: match raw.moderation.as_deref() {
                    None | Some("post") => false,
                    Some("pre") => true,
                    Some(other) => {
                        return Err(Problem::new("community.moderation", format!("`{other}`: `pre` or `post`")));
                    }
                },
                word_filter: raw.word_filter,
            }),
        };
        let mut allowed_origins = Vec::new();
        for origin in raw.allowed_origins {
            let origin = if origin == "self" { public_url.to_owned() } else { origin };
            if !is_origin(&origin) {
                return Err(Problem::new(
                    "allowed_origins",
                    format!("`{origin}` is not an origin like https://shop.example"),
                ));
            }
            allowed_origins.push(origin);
        }
        let faq_dir = raw.faq_dir;
        let retention = Retention {
            chat_days: raw.retention.chat_days,
            inactive_session_days: raw.retention.inactive_session_days,
            report_days: raw.retention.report_days,
        };
        for (field, days) in [
            ("retention.chat_days", retention.chat_days),
            ("retention.inactive_session_days", retention.inactive_session_days),
            ("retention.report_days", retention.report_days),
        ] {
            if !(1..=3650).contains(&days) {
                return Err(Problem::new(field, "between 1 and 3650 days"));
            }
        }
        let identity = match raw.identity {
            None => None,
            Some(identity) => Some(identity_settings(identity)?),
        };
        let long_wait_minutes = raw.chat.map_or_else(default_long_wait, |chat| chat.long_wait_minutes);
        if !(1..=240).contains(&long_wait_minutes) {
            return Err(Problem::new("long_wait_minutes", "between 1 and 240 minutes"));
        }
        let public = wire::SiteConfig {
            site: raw.id,
            name: raw.name,
            locales: raw.locales,
            default_locale,
            theme: wire::Theme {
                primary: raw.primary_color.to_ascii_lowercase(),
                on_primary: readable_text_on(primary).to_owned(),
                position: raw.position,
            },
            features,
            business_hours: raw.business_hours,
        };
        Ok(Site {
            public,
            allowed_origins,
            faq_dir,
            time_zone,
            callback,
            community,
            long_wait_minutes,
            retention,
            identity,
            settings_toml,
            raw: source,
        })
    }

    /// The section as the store keeps it: TOML, secrets included.
    pub fn stored_toml(&self) -> Result<String, Error> {
        toml::to_string(&self.raw).map_err(|e| Error::Internal(format!("site settings as TOML: {e}")))
    }

    /// A site from the store's TOML; the FAQ folder stays the file's (a path on this machine).
    pub fn from_stored(text: &str, public_url: &str, faq_dir: Option<PathBuf>) -> Result<Site, Problem> {
        let raw = toml::from_str::<RawSite>(text).map_err(|e| Problem::new("site", e.to_string()))?;
        let mut site = Site::from_raw(raw, public_url)?;
        site.faq_dir = faq_dir;
        Ok(site)
    }

    /// The stored webhook secret, if any (to tell that it changed, never to show it).
    pub fn webhook_secret(&self) -> Option<&str> {
        self.raw.callback.as_ref().and_then(|c| c.webhook_secret.as_deref())
    }

    /// Whether two sites run with the same settings (secrets included).
    pub fn same_settings(&self, other: &Site) -> bool {
        self.raw == other.raw
    }

    /// The console's form of these settings; secrets are only said to be set.
    pub fn form(&self) -> wire::SettingsForm {
        let raw = &self.raw;
        let has = |name: &str| raw.features.iter().any(|f| f == name);
        wire::SettingsForm {
            name: raw.name.clone(),
            locales: raw.locales.clone(),
            primary_color: raw.primary_color.to_ascii_lowercase(),
            position: raw.position,
            features: wire::Features {
                faq: has("faq"),
                chat: has("chat"),
                callback: has("callback"),
                community: has("community"),
            },
            allowed_origins: raw.allowed_origins.clone(),
            business_hours: raw.business_hours.clone(),
            long_wait_minutes: raw.chat.as_ref().map_or_else(default_long_wait, |c| c.long_wait_minutes),
            callback: raw.callback.as_ref().map(|c| wire::CallbackForm {
                slot_minutes: c.slot_minutes,
                capacity_per_slot: c.capacity_per_slot,
                days_ahead: c.days_ahead,
                countries: c.countries.clone(),
                consent_version: c.consent_version.clone(),
                consent_text: c.consent_text.clone(),
                phone_retention_days: c.phone_retention_days,
                daily_cap_per_phone: c.daily_cap_per_phone,
                webhook_url: c.webhook_url.clone(),
                webhook_secret: None,
                webhook_secret_set: c.webhook_secret.is_some(),
                number_types: c.number_types.clone().unwrap_or_else(|| {
                    crate::callbacks::phone::CALLED_BY_DEFAULT
                        .iter()
                        .filter_map(|t| serde_json::to_value(t).ok()?.as_str().map(str::to_owned))
                        .collect()
                }),
            }),
            community: wire::CommunityForm {
                pre_moderation: raw.community.as_ref().is_some_and(|c| c.moderation.as_deref() == Some("pre")),
                word_filter: raw.community.as_ref().map(|c| c.word_filter.clone()).unwrap_or_default(),
            },
            retention: wire::RetentionForm {
                chat_days: raw.retention.chat_days,
                inactive_session_days: raw.retention.inactive_session_days,
                report_days: raw.retention.report_days,
            },
            identity: raw.identity.as_ref().map(|i| wire::IdentityForm {
                es256_public_key: i.es256_public_key.clone(),
                max_age_seconds: i.max_age_seconds,
                secrets_set: u32::try_from(i.secrets.len()).unwrap_or(u32::MAX),
                new_secrets: None,
            }),
        }
    }

    /// The identity secrets, if any (to tell that they changed, never to show them).
    pub fn identity_secrets(&self) -> &[String] {
        self.raw.identity.as_ref().map_or(&[], |i| &i.secrets)
    }

    /// These settings changed as the console's `form` says, checked by the file's rules. A changed
    /// consent text gets a new version (`today`, then `today.2`...); an absent secret is kept.
    pub fn changed(&self, form: wire::SettingsForm, public_url: &str, today: &str) -> Result<Site, Problem> {
        let old = &self.raw;
        let features = [
            (form.features.faq, "faq"),
            (form.features.chat, "chat"),
            (form.features.callback, "callback"),
            (form.features.community, "community"),
        ];
        let callback = form.callback.map(|c| {
            let before = old.callback.as_ref();
            let consent_version = match before {
                Some(b) if b.consent_text == c.consent_text => b.consent_version.clone(),
                Some(b) => next_consent_version(&b.consent_version, today),
                None => today.to_owned(),
            };
            let webhook_url = c.webhook_url.filter(|url| !url.trim().is_empty());
            let webhook_secret = match (&webhook_url, c.webhook_secret.filter(|s| !s.is_empty())) {
                (None, _) => None,
                (Some(_), Some(new)) => Some(new),
                (Some(_), None) => before.and_then(|b| b.webhook_secret.clone()),
            };
            RawCallback {
                slot_minutes: c.slot_minutes,
                capacity_per_slot: c.capacity_per_slot,
                days_ahead: c.days_ahead,
                countries: c.countries,
                consent_version,
                consent_text: c.consent_text,
                phone_retention_days: c.phone_retention_days,
                daily_cap_per_phone: c.daily_cap_per_phone,
                webhook_url,
                webhook_secret,
                number_types: Some(c.number_types),
            }
        });
        let raw = RawSite {
            id: old.id.clone(),
            name: form.name.trim().to_owned(),
            allowed_origins: form
                .allowed_origins
                .into_iter()
                .map(|o| o.trim().to_owned())
                .filter(|o| !o.is_empty())
                .collect(),
            locales: form.locales,
            primary_color: form.primary_color.trim().to_owned(),
            position: form.position,
            features: features.iter().filter(|(on, _)| *on).map(|(_, name)| (*name).to_owned()).collect(),
            business_hours: form.business_hours,
            faq_dir: old.faq_dir.clone(),
            callback,
            community: Some(RawCommunity {
                moderation: Some(if form.community.pre_moderation { "pre" } else { "post" }.to_owned()),
                word_filter: form
                    .community
                    .word_filter
                    .into_iter()
                    .map(|w| w.trim().to_owned())
                    .filter(|w| !w.is_empty())
                    .collect(),
            }),
            chat: Some(RawChat { long_wait_minutes: form.long_wait_minutes }),
            retention: RawRetention {
                chat_days: form.retention.chat_days,
                inactive_session_days: form.retention.inactive_session_days,
                report_days: form.retention.report_days,
            },
            identity: form.identity.map(|i| RawIdentity {
                secrets: match i.new_secrets {
                    Some(secrets) if secrets.iter().any(|s| !s.trim().is_empty()) => {
                        secrets.into_iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
                    }
                    _ => old.identity.as_ref().map(|o| o.secrets.clone()).unwrap_or_default(),
                },
                es256_public_key: i.es256_public_key.filter(|pem| !pem.trim().is_empty()),
                max_age_seconds: i.max_age_seconds,
            }),
        };
        let mut site = Site::from_raw(raw, public_url)?;
        site.faq_dir = self.faq_dir.clone();
        Ok(site)
    }
}

/// The version after `current` for a consent text changed on `today`: the date, then `.2`, `.3`...
fn next_consent_version(current: &str, today: &str) -> String {
    if current != today && !current.starts_with(&format!("{today}.")) {
        return today.to_owned();
    }
    let n = current.strip_prefix(&format!("{today}.")).and_then(|n| n.parse::<u32>().ok()).unwrap_or(1);
    format!("{today}.{}", n + 1)
}

/// Weekly spans in `HH:MM`, opening before closing; closures as dates, in order, a label of 80
/// characters at most.
fn check_hours(hours: &wire::BusinessHours) -> Result<(), Problem> {
    for span in &hours.weekly {
        // "24:00" closes at midnight, the end of that day (a desk open around the clock).
        let closes_ok = is_hh_mm(&span.closes) || span.closes == "24:00";
        for (time, ok) in [(&span.opens, is_hh_mm(&span.opens)), (&span.closes, closes_ok)] {
            if !ok {
                return Err(Problem::new("business_hours.weekly", format!("`{time}` is not a time like 09:30")));
            }
        }
        if span.opens >= span.closes {
            return Err(Problem::new("business_hours.weekly", format!("{} closes before it opens", span.opens)));
        }
        if span.days.is_empty() {
            return Err(Problem::new("business_hours.weekly", "each span names at least one day"));
        }
    }
    for closure in &hours.closures {
        let day = |text: &str| {
            text.parse::<jiff::civil::Date>()
                .map_err(|_| Problem::new("business_hours.closures", format!("`{text}` is not a date like 2026-12-25")))
        };
        if day(&closure.first_day)? > day(&closure.last_day)? {
            return Err(Problem::new(
                "business_hours.closures",
                format!("{} ends before it starts", closure.first_day),
            ));
        }
        if closure.label.chars().count() > 80 {
            return Err(Problem::new("business_hours.closures", "a label of 80 characters at most"));
        }
    }
    Ok(())
}

/// A site's section as the server understood it, as TOML a configuration file takes back: every
/// default written out, and the secrets (webhook, identity) left out, since they are written once and
/// never shown.
fn exported(raw: &RawSite) -> Result<String, Error> {
    #[derive(Serialize)]
    struct File<'a> {
        site: [&'a RawSite; 1],
    }
    let mut site = raw.clone();
    if let Some(callback) = site.callback.as_mut() {
        callback.webhook_secret = None;
    }
    if let Some(identity) = site.identity.as_mut() {
        identity.secrets.clear();
    }
    toml::to_string(&File { site: [&site] })
        .map_err(|e| Error::Config(format!("site `{}`: cannot export: {e}", raw.id)))
}

fn identity_settings(raw: RawIdentity) -> Result<IdentitySettings, Problem> {
    if raw.secrets.len() > 2 || raw.secrets.iter().any(|s| s.len() < 32) {
        return Err(Problem::new(
            "identity.secrets",
            "one or two (two while rotating), of at least 32 characters each",
        ));
    }
    if let Some(pem) = &raw.es256_public_key
        && jsonwebtoken::DecodingKey::from_ec_pem(pem.as_bytes()).is_err()
    {
        return Err(Problem::new("identity.es256_public_key", "not a PEM EC public key"));
    }
    if raw.secrets.is_empty() && raw.es256_public_key.is_none() {
        return Err(Problem::new("identity", "give secrets, es256_public_key or both"));
    }
    if !(30..=86_400).contains(&raw.max_age_seconds) {
        return Err(Problem::new("identity.max_age_seconds", "between 30 and 86400"));
    }
    Ok(IdentitySettings {
        secrets: raw.secrets,
        es256_public_key: raw.es256_public_key,
        max_age_seconds: raw.max_age_seconds,
    })
}

fn callback_settings(raw: RawCallback, locales: &[wire::Locale]) -> Result<CallbackSettings, Problem> {
    if !(5..=240).contains(&raw.slot_minutes) || 1440 % raw.slot_minutes != 0 {
        return Err(Problem::new(
            "callback.slot_minutes",
            format!("{} must divide a day and lie between 5 and 240", raw.slot_minutes),
        ));
    }
    if !(1..=1000).contains(&raw.capacity_per_slot) {
        return Err(Problem::new("callback.capacity_per_slot", "between 1 and 1000"));
    }
    if !(1..=60).contains(&raw.days_ahead) {
        return Err(Problem::new("callback.days_ahead", "between 1 and 60"));
    }
    if !(1..=3650).contains(&raw.phone_retention_days) {
        return Err(Problem::new("callback.phone_retention_days", "between 1 and 3650 days"));
    }
    if !(1..=100).contains(&raw.daily_cap_per_phone) {
        return Err(Problem::new("callback.daily_cap_per_phone", "between 1 and 100"));
    }
    let mut countries = Vec::new();
    for code in &raw.countries {
        let code = code.to_ascii_uppercase();
        let calling_code = crate::callbacks::phone::calling_code(&code).ok_or_else(|| {
            Problem::new("callback.countries", format!("`{code}` is not a country with phone numbers"))
        })?;
        countries.push(wire::CallingCountry { country: code, calling_code });
    }
    if countries.is_empty() {
        return Err(Problem::new("callback.countries", "name at least one"));
    }
    if raw.consent_version.trim().is_empty() {
        return Err(Problem::new("callback.consent_version", "must not be empty"));
    }
    if let Some(missing) = locales.iter().find(|l| raw.consent_text.get(l).is_none_or(|t| t.trim().is_empty())) {
        return Err(Problem::new("callback.consent_text", format!("no text for `{}`", missing.tag())));
    }
    let number_types = match raw.number_types {
        None => crate::callbacks::phone::CALLED_BY_DEFAULT.to_vec(),
        Some(names) => names
            .iter()
            .map(|name| {
                serde_json::from_value(serde_json::Value::String(name.clone())).map_err(|_| {
                    Problem::new(
                        "callback.number_types",
                        format!("`{name}` is not a kind of number (mobile, fixed_line, voip...)"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?,
    };
    if number_types.is_empty() {
        return Err(Problem::new("callback.number_types", "name at least one kind of number"));
    }
    let webhook = match (raw.webhook_url, raw.webhook_secret) {
        (None, None) => None,
        (Some(url), Some(secret))
            if (url.starts_with("https://") || url.starts_with("http://")) && secret.len() >= 16 =>
        {
            Some(Webhook { url, secret })
        }
        (Some(url), _) if !(url.starts_with("https://") || url.starts_with("http://")) => {
            return Err(Problem::new("callback.webhook_url", "an http(s) URL"));
        }
        _ => return Err(Problem::new("callback.webhook_secret", "at least 16 characters, with a webhook URL")),
    };
    Ok(CallbackSettings {
        slot_minutes: raw.slot_minutes,
        capacity_per_slot: raw.capacity_per_slot,
        days_ahead: raw.days_ahead,
        countries,
        consent_version: raw.consent_version,
        consent_text: raw.consent_text,
        phone_retention_days: raw.phone_retention_days,
        daily_cap_per_phone: raw.daily_cap_per_phone,
        webhook,
        number_types,
    })
}

fn is_hh_mm(text: &str) -> bool {
    let Some((h, m)) = text.split_once(':') else { return false };
    h.len() == 2 && m.len() == 2 && h.parse::<u8>().is_ok_and(|h| h < 24) && m.parse::<u8>().is_ok_and(|m| m < 60)
}

/// An origin is a scheme, a host and an optional port: no path, no trailing slash.
fn is_origin(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://")) else {
        return false;
    };
    !rest.is_empty() && !rest.contains(['/', '?', '#', ' ', ';', ',', '\'', '"'])
}

fn parse_hex_color(text: &str) -> Option<[u8; 3]> {
    let hex = text.strip_prefix('#')?;
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// WCAG relative luminance of an sRGB colour.
fn luminance([r, g, b]: [u8; 3]) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// White or near-black, whichever reads better on the brand colour: brands pick colours, not contrast.
fn readable_text_on(background: [u8; 3]) -> &'static str {
    const WHITE: [u8; 3] = [0xff, 0xff, 0xff];
    const INK: [u8; 3] = [0x1a, 0x1a, 0x1a];
    if contrast(WHITE, background) >= contrast(INK, background) { "#ffffff" } else { "#1a1a1a" }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: &str = r##"
        [[site]]
        id = "demo"
        name = "Demo"
        allowed_origins = ["self", "https://shop.example"]
        locales = ["fr", "en"]
        primary_color = "#FFD400"
        features = ["faq", "chat"]
        business_hours = { time_zone = "Europe/Paris", weekly = [{ days = ["mon"], opens = "09:00", closes = "18:00" }] }
    "##;

    #[test]
    fn env_overrides_the_file_and_self_is_the_public_origin() {
        let env = |k: &str| (k == "ACCUEIL_LISTEN").then(|| "127.0.0.1:9999".to_owned());
        let config = Config::from_toml(SITE, Path::new("/srv"), env).expect("valid");
        assert_eq!(config.listen.port(), 9999);
        let site = config.site("demo").expect("site");
        assert_eq!(site.allowed_origins, ["http://127.0.0.1:9999", "https://shop.example"]);
        assert_eq!(config.database_url, "sqlite:///srv/accueil.db");
        assert!(site.public.features.chat && !site.public.features.community);
    }

    #[test]
    fn text_on_a_light_brand_colour_is_dark_and_on_a_dark_one_white() {
        assert_eq!(readable_text_on([0xff, 0xd4, 0x00]), "#1a1a1a");
        assert_eq!(readable_text_on([0x8a, 0x3b, 0x12]), "#ffffff");
        assert!(contrast([0xff; 3], [0x8a, 0x3b, 0x12]) >= 4.5);
    }

    #[test]
    fn bad_values_are_refused_with_the_key() {
        let cases = [
            ("primary_color = \"#FFD400\"", "primary_color = \"red\"", "primary_color"),
            ("\"https://shop.example\"", "\"https://shop.example/\"", "allowed_origins"),
            ("opens = \"09:00\"", "opens = \"9h\"", "business_hours"),
            ("opens = \"09:00\"", "opens = \"24:00\"", "business_hours"),
            ("\"faq\", \"chat\"", "\"faq\", \"fax\"", "features"),
            ("Europe/Paris", "Europe/Lutece", "business_hours"),
            ("\"faq\", \"chat\"", "\"faq\", \"callback\"", "callback"),
        ];
        for (from, to, key) in cases {
            let err = Config::from_toml(&SITE.replace(from, to), Path::new("/"), |_| None).unwrap_err();
            assert!(err.to_string().contains(key), "{err}");
        }
    }

    #[test]
    fn a_site_changed_through_its_own_form_runs_the_same_and_a_new_consent_text_is_a_new_version() {
        let config = Config::from_toml(SITE, Path::new("/"), |_| None).expect("valid");
        let site = config.site("demo").expect("site");
        let again = site.changed(site.form(), &config.public_url, "2026-12-03").expect("its own form is valid");
        assert_eq!(again.public, site.public);
        assert_eq!(again.allowed_origins, site.allowed_origins);
        assert_eq!(next_consent_version("v1", "2026-12-03"), "2026-12-03");
        assert_eq!(next_consent_version("2026-12-03", "2026-12-03"), "2026-12-03.2");
        assert_eq!(next_consent_version("2026-12-03.2", "2026-12-03"), "2026-12-03.3");
        assert_eq!(next_consent_version("2026-12-02.5", "2026-12-03"), "2026-12-03");
        let mut form = site.form();
        form.business_hours.closures.push(wire::Closure {
            first_day: "2026-12-26".into(),
            last_day: "2026-12-25".into(),
            label: "Noël".into(),
        });
        let refused = site.changed(form, &config.public_url, "2026-12-03").unwrap_err();
        assert_eq!(refused.field, "business_hours.closures");
    }
}
