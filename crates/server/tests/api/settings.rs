//! A site's settings for administrators: the exact tag to paste, and the settings as TOML that a
//! configuration file takes back unchanged (settings as code), without the secrets; and the form that
//! changes them, applied at once, checked by the file's rules, audited.

use crate::helpers::{TestApp, WEBHOOK_SECRET, error_fields, spawn_app, spawn_app_with};
use accueil_protocol::{
    AgentRole, AuditLog, CallbackOptions, Closure, ErrorCode, Locale, SettingsChange, SettingsForm, SiteConfig,
    SiteSettings,
};
use accueil_server::config::Config;
use accueil_server::store::SiteScope;

#[tokio::test]
async fn the_settings_give_the_tag_and_toml_that_configures_the_same_site_again() {
    let app = spawn_app_with(|key| (key == "TEST_WEBHOOK_URL").then(|| "https://brand.example/hooks".to_owned())).await;
    let camille = app.signed_in().await;
    let settings: SiteSettings = app.agent_get("/v1/agent/settings/demo", &camille).await;
    let site = app.config.site("demo").expect("the demo site");
    assert_eq!(
        settings.tag,
        format!(
            "<script src=\"{}/accueil.js\" data-site=\"demo\" data-color=\"{}\" data-position=\"bottom-right\" async></script>",
            app.base, site.public.theme.primary
        )
    );
    assert!(settings.toml.starts_with("# Accueil: this site's settings"), "{}", settings.toml);
    assert!(settings.toml.contains("webhook_url = \"https://brand.example/hooks\""), "{}", settings.toml);
    assert!(!settings.toml.contains(WEBHOOK_SECRET), "the secret is never shown");

    // The exported TOML, with the secret written back in as its header says, configures the same site
    // again: the same public settings and rules.
    let with_secret = settings.toml.replace(
        "webhook_url = \"https://brand.example/hooks\"",
        &format!("webhook_url = \"https://brand.example/hooks\"\nwebhook_secret = \"{WEBHOOK_SECRET}\""),
    );
    let again = Config::from_toml(&with_secret, app.dir(), |_| None).expect("the export is a valid configuration");
    let reread = again.site("demo").expect("the site, read back");
    assert_eq!(reread.public, site.public);
    assert_eq!(reread.allowed_origins, site.allowed_origins);
    assert_eq!(reread.long_wait_minutes, site.long_wait_minutes);
    assert_eq!(reread.retention, site.retention);
    assert_eq!(reread.settings_toml, site.settings_toml, "exporting again changes nothing");
    assert!(reread.callback.as_ref().and_then(|c| c.webhook.as_ref()).is_some(), "the webhook is back");

    // The same file to download; another site's settings do not exist for this administrator.
    let export = app.client.get(app.url("/v1/agent/settings/demo/export")).header("cookie", &camille);
    let export = export.send().await.unwrap();
    assert_eq!(export.headers()["content-disposition"], "attachment; filename=\"accueil-demo.toml\"");
    assert_eq!(export.text().await.unwrap(), settings.toml);
    let nadia = app.signed_in_on("nadia@autre.example", &SiteScope::Only(vec!["autre".to_owned()])).await;
    let elsewhere = app.client.get(app.url("/v1/agent/settings/demo")).header("cookie", &nadia);
    assert_eq!(elsewhere.send().await.unwrap().status(), 404);
}

/// Today's date in Paris, the demo site's time zone.
fn paris_now() -> jiff::ZonedDateTime {
    jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::get("Europe/Paris").unwrap())
}

fn paris_today() -> String {
    paris_now().date().to_string()
}

/// Saves `form` made from `revision` as `cookie`.
async fn save(app: &TestApp, cookie: &str, revision: u64, form: &SettingsForm) -> reqwest::Response {
    let change = SettingsChange { revision, form: form.clone() };
    app.client.put(app.url("/v1/agent/settings/demo")).header("cookie", cookie).json(&change).send().await.unwrap()
}

#[tokio::test]
async fn a_colour_and_a_closure_changed_in_the_console_apply_at_once_and_after_a_restart() {
    let app = spawn_app_with(|key| (key == "TEST_WEBHOOK_URL").then(|| "https://brand.example/hooks".to_owned())).await;
    let camille = app.signed_in().await;
    let before: SiteSettings = app.agent_get("/v1/agent/settings/demo", &camille).await;
    assert_eq!(before.revision, 1, "seeded from the file");
    let callback = before.form.callback.clone().expect("the demo site calls back");
    assert!(callback.webhook_secret_set && callback.webhook_secret.is_none(), "the secret is write-only");
    let options: CallbackOptions = app.public_get("/v1/sites/demo/callback-options").await;
    let today = paris_today();
    let on_today = |slots: &[accueil_protocol::CallbackSlot]| {
        let paris = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
        slots
            .iter()
            .filter(|s| {
                s.start.parse::<jiff::Timestamp>().unwrap().to_zoned_datetime(paris.clone()).date().to_string() == today
            })
            .count()
    };
    assert!(on_today(&options.slots) > 0 || paris_now().hour() >= 22, "open around the clock");

    let mut form = before.form.clone();
    form.primary_color = "#1D4ED8".to_owned();
    form.business_hours.closures.push(Closure {
        first_day: today.clone(),
        last_day: today.clone(),
        label: "Inventaire".to_owned(),
    });
    let text = form.callback.as_mut().unwrap().consent_text.get_mut(&Locale::Fr).unwrap();
    *text = "J'accepte d'être rappelé à ce numéro.".to_owned();
    let saved = save(&app, &camille, before.revision, &form).await;
    assert_eq!(saved.status(), 200);
    let after: SiteSettings = saved.json().await.unwrap();
    assert_eq!(after.revision, 2);
    assert_eq!(after.form.primary_color, "#1d4ed8");
    assert!(after.tag.contains("data-color=\"#1d4ed8\""), "the tag to paste follows");
    let new_version = after.form.callback.as_ref().unwrap().consent_version.clone();
    assert_eq!(new_version, today, "a changed consent text is a new version");
    assert!(after.form.callback.as_ref().unwrap().webhook_secret_set, "an absent secret is kept");

    // What visitors get changes at once: the widget's config, its first view's colours, the slots.
    let config: SiteConfig = app.public_get("/v1/sites/demo/config").await;
    assert_eq!(config.theme.primary, "#1d4ed8");
    assert_eq!(config.business_hours.closures.len(), 1);
    let options: CallbackOptions = app.public_get("/v1/sites/demo/callback-options").await;
    assert_eq!(on_today(&options.slots), 0, "no callback on a closed day");
    assert!(!options.asap, "nobody calls back at once on a closed day");
    assert_eq!(options.consent.version, today);
    let css = app.client.get(app.url("/widget/theme.css?site=demo")).send().await.unwrap().text().await.unwrap();
    assert!(css.contains("#1d4ed8"), "{css}");

    // The audit log says who changed what, before and after, never a secret.
    let log: AuditLog = app.agent_get("/v1/agent/audit", &camille).await;
    let entry = log.entries.iter().find(|e| e.action == "settings_changed").expect("the change is audited");
    assert_eq!(entry.subject, "demo");
    let (was, is) = (entry.before.clone().unwrap(), entry.after.clone().unwrap());
    assert!(
        was.contains("\"primary_color\":\"#8a3b12\"") && is.contains("\"primary_color\":\"#1d4ed8\""),
        "{was} {is}"
    );
    assert!(is.contains("Inventaire") && !is.contains("max_age_seconds"), "only what changed: {is}");

    // A new secret is taken and never shown; the audit says it changed.
    let mut form = after.form.clone();
    form.callback.as_mut().unwrap().webhook_secret = Some("a-brand-new-webhook-secret".to_owned());
    let saved = save(&app, &camille, after.revision, &form).await;
    assert_eq!(saved.status(), 200);
    let text = saved.text().await.unwrap();
    assert!(!text.contains("a-brand-new-webhook-secret"), "{text}");
    assert!(!stored_anywhere_in_audit(&app, &camille, "a-brand-new-webhook-secret").await);

    // The identity secrets too: only how many are stored is said; new ones replace them.
    let current: SiteSettings = serde_json::from_str(&text).unwrap();
    let identity = current.form.identity.clone().expect("the demo site verifies identities");
    assert_eq!((identity.secrets_set, identity.new_secrets.is_none()), (2, true));
    let mut form = current.form.clone();
    form.identity.as_mut().unwrap().new_secrets = Some(vec!["a-rotated-identity-secret-of-forty-chars".to_owned()]);
    let saved = save(&app, &camille, current.revision, &form).await;
    let text = saved.text().await.unwrap();
    assert!(!text.contains("a-rotated-identity-secret"), "{text}");
    let rotated: SiteSettings = serde_json::from_str(&text).unwrap();
    assert_eq!(rotated.form.identity.as_ref().map(|i| i.secrets_set), Some(1));
    let log: AuditLog = app.agent_get("/v1/agent/audit", &camille).await;
    assert!(log.entries[0].after.as_deref().unwrap_or_default().contains("\"identity.secrets\":\"(changed)\""));
    assert!(!stored_anywhere_in_audit(&app, &camille, "a-rotated-identity-secret").await);

    // The file seeds a site once: a server started again with the same file runs the console's change.
    let again = app.another_node().await;
    let config: SiteConfig = again.public_get("/v1/sites/demo/config").await;
    assert_eq!(config.theme.primary, "#1d4ed8", "the console's change outlives a restart");
    // A file whose section changed (here: the webhook left out) is applied again, and the log says so.
    let app = app.restart().await;
    let config: SiteConfig = app.public_get("/v1/sites/demo/config").await;
    assert_eq!(config.theme.primary, "#8a3b12", "the edited file wins");
    let camille = app.login("camille@maison-lumiere.example", "correct horse battery staple").await;
    let log: AuditLog = app.agent_get("/v1/agent/audit", &camille).await;
    assert_eq!(
        log.entries.iter().filter(|e| e.action == "settings_from_file" && e.subject == "demo").count(),
        2,
        "seeded, then the file again"
    );
}

async fn stored_anywhere_in_audit(app: &TestApp, cookie: &str, needle: &str) -> bool {
    let log: AuditLog = app.agent_get("/v1/agent/audit", cookie).await;
    log.entries.iter().any(|e| format!("{e:?}").contains(needle))
}

/// A change that makes a form wrong.
type Spoil = fn(&mut SettingsForm);

#[tokio::test]
async fn a_refused_setting_names_its_field_and_a_stale_change_is_refused() {
    let app = spawn_app().await;
    let camille = app.signed_in().await;
    let current: SiteSettings = app.agent_get("/v1/agent/settings/demo", &camille).await;
    let cases: [(&str, Spoil); 8] = [
        ("primary_color", |f| f.primary_color = "rouge".to_owned()),
        ("business_hours.closures", |f| {
            f.business_hours.closures.push(Closure {
                first_day: "2026-12-26".into(),
                last_day: "2026-12-24".into(),
                label: String::new(),
            })
        }),
        ("business_hours.closures", |f| {
            f.business_hours.closures.push(Closure {
                first_day: "25/12".into(),
                last_day: "2026-12-24".into(),
                label: String::new(),
            })
        }),
        ("business_hours.weekly", |f| f.business_hours.weekly[0].closes = "25:00".to_owned()),
        ("callback.slot_minutes", |f| f.callback.as_mut().unwrap().slot_minutes = 7),
        ("allowed_origins", |f| f.allowed_origins.push("https://shop.example/page".to_owned())),
        ("identity.secrets", |f| f.identity.as_mut().unwrap().new_secrets = Some(vec!["short".to_owned()])),
        ("callback.number_types", |f| f.callback.as_mut().unwrap().number_types.clear()),
    ];
    for (field, spoil) in cases {
        let mut form = current.form.clone();
        spoil(&mut form);
        let fields =
            error_fields(save(&app, &camille, current.revision, &form).await, 422, ErrorCode::ValidationFailed).await;
        assert_eq!(fields.first().map(|f| f.0.as_str()), Some(field), "{fields:?}");
    }
    let config: SiteConfig = app.public_get("/v1/sites/demo/config").await;
    assert_eq!(config.theme.primary, "#8a3b12", "nothing refused was applied");

    // Two administrators edit from the same revision: the second is told, and nothing of it lands.
    let mut first = current.form.clone();
    first.name = "Maison Lumière Paris".to_owned();
    assert_eq!(save(&app, &camille, current.revision, &first).await.status(), 200);
    let mut second = current.form.clone();
    second.long_wait_minutes = 3;
    assert_eq!(save(&app, &camille, current.revision, &second).await.status(), 409);
    let now: SiteSettings = app.agent_get("/v1/agent/settings/demo", &camille).await;
    assert_eq!(
        (now.form.name.as_str(), now.form.long_wait_minutes),
        ("Maison Lumière Paris", current.form.long_wait_minutes)
    );

    // Agents and editors may not change settings.
    let agent = app.signed_in_with_role("ana@demo.example", &SiteScope::Every, AgentRole::Agent).await;
    assert_eq!(save(&app, &agent, now.revision, &now.form).await.status(), 403);
}
