//! Background work of callbacks: delivering the webhook outbox with signed requests and backoff, and
//! erasing the numbers of requests closed longer ago than each site keeps them (with the rest of each
//! site's retention, `crate::retention`, in the same hourly pass).

use super::agent_view;
use crate::config::Site;
use crate::rfc3339;
use crate::store::{DueWebhook, Store, UnixTime};
use accueil_protocol::CallbackEvent;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Tries before a delivery is given up.
pub const MAX_ATTEMPTS: u32 = 12;
const FIRST_RETRY_SECONDS: i64 = 10;
const LONGEST_RETRY_SECONDS: i64 = 3600;
/// How often due retries are looked for; new events wake the worker at once.
const TICK: Duration = Duration::from_secs(5);
const ERASE_EVERY: Duration = Duration::from_secs(3600);

/// When to try again after `failures` failed tries, or `None` to give up.
pub fn next_attempt(now: UnixTime, failures: u32) -> Option<UnixTime> {
    if failures >= MAX_ATTEMPTS {
        return None;
    }
    let delay = FIRST_RETRY_SECONDS.saturating_mul(1 << failures.saturating_sub(1).min(20));
    Some(now + delay.min(LONGEST_RETRY_SECONDS))
}

/// `sha256=<hex>` of HMAC-SHA256(secret, "<timestamp>.<body>").
pub fn signature(secret: &str, timestamp: UnixTime, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    format!("sha256={}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// Runs until the process ends. `wake` is notified when an event is queued.
pub async fn run(sites: Arc<crate::settings::Sites>, store: Arc<dyn Store>, wake: Arc<Notify>) {
    let client = match reqwest::Client::builder().timeout(Duration::from_secs(10)).build() {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "no HTTP client: callback webhooks are not delivered");
            return;
        }
    };
    let mut last_erase: Option<tokio::time::Instant> = None;
    loop {
        if last_erase.is_none_or(|at| at.elapsed() >= ERASE_EVERY) {
            crate::retention::enforce(&sites.all(), store.as_ref(), crate::now()).await;
            if let Err(error) = store.sweep_hits(crate::now()).await {
                tracing::warn!(%error, "ended rate-limit windows were not swept");
            }
            last_erase = Some(tokio::time::Instant::now());
        }
        deliver_due(&sites, store.as_ref(), &client).await;
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(TICK) => {}
        }
    }
}

/// Erases numbers and names of requests closed more than each site's retention ago.
pub async fn erase_expired_phones(sites: &[Arc<Site>], store: &dyn Store, now: UnixTime) {
    for site in sites {
        let Some(settings) = &site.callback else { continue };
        let before = now - i64::from(settings.phone_retention_days) * 86_400;
        match store.erase_closed_phones(&site.public.site, before).await {
            Ok(0) => {}
            Ok(erased) => tracing::info!(site = %site.public.site, erased, "erased numbers of closed callbacks"),
            Err(error) => tracing::error!(%error, "erasing closed callbacks' numbers failed"),
        }
    }
}

async fn deliver_due(sites: &crate::settings::Sites, store: &dyn Store, client: &reqwest::Client) {
    let due = match store.due_webhooks(crate::now(), 20).await {
        Ok(due) => due,
        Err(error) => {
            tracing::error!(%error, "reading the webhook outbox failed");
            return;
        }
    };
    for delivery in due {
        let result = deliver(sites, client, &delivery).await;
        let now = crate::now();
        let recorded = match result {
            Ok(()) => store.webhook_delivered(delivery.id).await,
            Err(error) => {
                let retry = next_attempt(now, delivery.attempts + 1);
                tracing::warn!(event = %delivery.event_id, attempt = delivery.attempts + 1, %error, "webhook delivery failed");
                store.webhook_failed(delivery.id, retry, &error, now).await
            }
        };
        if let Err(error) = recorded {
            tracing::error!(%error, "recording a webhook delivery failed");
        }
    }
}

async fn deliver(
    sites: &crate::settings::Sites,
    client: &reqwest::Client,
    delivery: &DueWebhook,
) -> Result<(), String> {
    let site = sites.get(&delivery.callback.site).ok_or("the site is gone")?;
    let webhook = site
        .callback
        .as_ref()
        .and_then(|settings| settings.webhook.as_ref())
        .ok_or("the site no longer has a webhook")?;
    let event = CallbackEvent {
        id: delivery.event_id.clone(),
        event: delivery.event,
        occurred_at: rfc3339(delivery.occurred_at),
        callback: agent_view(delivery.callback.clone()),
    };
    let body = serde_json::to_vec(&event).map_err(|e| e.to_string())?;
    let timestamp = crate::now();
    let response = client
        .post(&webhook.url)
        .header("content-type", "application/json")
        .header("x-accueil-timestamp", timestamp.to_string())
        .header("x-accueil-signature", signature(&webhook.secret, timestamp, &body))
        .body(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.status().is_success() { Ok(()) } else { Err(format!("answered {}", response.status())) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_ten_seconds_to_an_hour_then_stop() {
        assert_eq!(next_attempt(0, 1), Some(10));
        assert_eq!(next_attempt(0, 2), Some(20));
        assert_eq!(next_attempt(0, 5), Some(160));
        assert_eq!(next_attempt(0, 11), Some(3600));
        assert_eq!(next_attempt(0, MAX_ATTEMPTS), None);
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Known answer from `printf '1700000000.{}' | openssl dgst -sha256 -hmac secret-of-sixteen`.
        assert_eq!(
            signature("secret-of-sixteen", 1_700_000_000, b"{}"),
            "sha256=392db33d6f2a0f4fbeb9ccc6adda8cff2aa84622afe4c9353c909534d99d6f08"
        );
    }
}
