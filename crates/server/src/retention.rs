//! Erasing what each site no longer keeps (`[sites.retention]`): closed conversations, sessions nobody
//! uses, reports on community posts, and closed callbacks' numbers. The callbacks' maintenance task
//! runs it every hour; tests run it on a moved clock.

use crate::callbacks::maintenance::erase_expired_phones;
use crate::config::Site;
use crate::store::{RetentionCutoffs, Store, UnixTime};
use std::sync::Arc;

const DAY: i64 = 86_400;

/// One pass over every site, as of `now`. Failures are logged; the next pass tries again.
pub async fn enforce(sites: &[Arc<Site>], store: &dyn Store, now: UnixTime) {
    erase_expired_phones(sites, store, now).await;
    for site in sites {
        let days = |n: u32| now - i64::from(n) * DAY;
        let cutoffs = RetentionCutoffs {
            closed_conversations: days(site.retention.chat_days),
            unused_sessions: days(site.retention.inactive_session_days),
            reports: days(site.retention.report_days),
            now,
        };
        match store.erase_expired(&site.public.site, cutoffs).await {
            Ok(expired) if expired == Default::default() => {}
            Ok(expired) => tracing::info!(
                site = %site.public.site,
                conversations = expired.conversations,
                sessions = expired.sessions,
                reports = expired.reports,
                "erased what the site keeps no longer"
            ),
            Err(error) => tracing::error!(%error, site = %site.public.site, "the retention pass failed"),
        }
    }
}
