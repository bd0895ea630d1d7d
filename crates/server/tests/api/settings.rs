//! A site's settings for administrators: the exact tag to paste, and the settings as TOML that a
//! configuration file takes back unchanged (settings as code), without the secrets.

use crate::helpers::{WEBHOOK_SECRET, spawn_app_with};
use accueil_protocol::SiteSettings;
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
