//! The team, for administrators: the accounts of their sites, changing one's role and sites,
//! deactivating one (its sessions end at once, its conversations wait again), and the audit log every
//! such change lands in.

use super::no_store;
use crate::chat::announce_change;
use crate::error::Error;
use crate::extract::{Administrator, ApiJson, SignedInAgent};
use crate::startup::AppState;
use crate::store::{AgentRow, NewAudit, SiteScope};
use accueil_protocol::{Account, Accounts, AuditEntry, AuditLog, ChangeAccount};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};

/// Entries the console shows of the audit log.
const AUDIT_SHOWN: u32 = 200;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/v1/agent/accounts", get(accounts))
        .route("/v1/agent/accounts/{id}", put(change))
        .route("/v1/agent/accounts/{id}/deactivate", post(deactivate))
        .route("/v1/agent/audit", get(audit))
}

fn account(row: AgentRow) -> Account {
    Account {
        id: row.id,
        email: row.email,
        name: row.name,
        role: row.role,
        sites: row.sites.to_stored(),
        active: row.active,
    }
}

/// An account's role, sites and state as the audit log keeps them.
fn state_of(row: &AgentRow) -> Option<String> {
    let state = serde_json::json!({ "role": row.role, "sites": row.sites.to_stored(), "active": row.active });
    Some(state.to_string())
}

/// Whether an administrator may manage `row`: an administrator of every site may manage everyone; one
/// of some sites, the accounts that work only on those.
fn manages(admin: &SignedInAgent, sites: &SiteScope) -> bool {
    match (&admin.agent.sites, sites) {
        (SiteScope::Every, _) => true,
        (SiteScope::Only(_), SiteScope::Every) => false,
        (SiteScope::Only(_), SiteScope::Only(theirs)) => theirs.iter().all(|site| admin.works_on(site)),
    }
}

/// The account `id` if this administrator manages it; any other is a 404, as if it did not exist.
async fn managed(state: &AppState, admin: &SignedInAgent, id: i64) -> Result<AgentRow, Error> {
    let row = state.store.agent_by_id(id).await?.filter(|row| manages(admin, &row.sites));
    row.ok_or_else(|| Error::NotFound("no such account".to_owned()))
}

/// Administrators never lock themselves out: they neither demote nor deactivate their own account.
fn not_yourself(admin: &SignedInAgent, id: i64, what: &str) -> Result<(), Error> {
    if admin.agent.id != id {
        return Ok(());
    }
    Err(Error::Validation {
        message: format!("you cannot {what} your own account; another administrator can"),
        fields: Error::field("id", "your own account"),
    })
}

fn audit_of(admin: &SignedInAgent, action: &'static str, before: &AgentRow, after: Option<String>) -> NewAudit {
    NewAudit {
        at: crate::now(),
        actor_id: admin.agent.id,
        actor: admin.agent.name.clone(),
        action,
        subject: before.email.clone(),
        before: state_of(before),
        after,
    }
}

async fn accounts(State(state): State<AppState>, Administrator(admin): Administrator) -> Result<Response, Error> {
    let accounts =
        state.store.accounts().await?.into_iter().filter(|row| manages(&admin, &row.sites)).map(account).collect();
    Ok((no_store(), Json(Accounts { accounts })).into_response())
}

async fn change(
    State(state): State<AppState>,
    Administrator(admin): Administrator,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<ChangeAccount>,
) -> Result<Response, Error> {
    let before = managed(&state, &admin, id).await?;
    if request.role != before.role {
        not_yourself(&admin, id, "change the role of")?;
    }
    let sites = SiteScope::from_stored(request.sites.iter().map(|s| s.trim().to_owned()).collect());
    if let Some(unknown) = sites.to_stored().iter().find(|s| *s != SiteScope::EVERY && state.config.site(s).is_none()) {
        return Err(Error::Validation {
            message: "every site must be one this server has".to_owned(),
            fields: Error::field("sites", format!("no site is named `{unknown}`")),
        });
    }
    if !manages(&admin, &sites) {
        return Err(Error::Validation {
            message: "you can give only the sites you work on".to_owned(),
            fields: Error::field("sites", "includes a site you do not work on"),
        });
    }
    let after = AgentRow { role: request.role, sites: sites.clone(), ..before.clone() };
    let audit = audit_of(&admin, "account_changed", &before, state_of(&after));
    let changed = state.store.change_account(id, request.role, &sites, &audit).await?;
    let changed = changed.ok_or_else(|| Error::NotFound("no such account".to_owned()))?;
    Ok((no_store(), Json(account(changed))).into_response())
}

async fn deactivate(
    State(state): State<AppState>,
    Administrator(admin): Administrator,
    Path(id): Path<i64>,
) -> Result<Response, Error> {
    let before = managed(&state, &admin, id).await?;
    not_yourself(&admin, id, "deactivate")?;
    let after = AgentRow { active: false, ..before.clone() };
    let audit = audit_of(&admin, "account_deactivated", &before, state_of(&after));
    let Some(ended) = state.store.deactivate_account(id, &audit).await? else {
        // Already deactivated: nothing more to end.
        return Ok((no_store(), Json(account(after))).into_response());
    };
    // Its consoles close now, on every node, as at sign-out; its conversations wait for a colleague.
    for token_hash in ended.sessions {
        super::agent::session_ended(&state, token_hash);
    }
    for public_id in ended.released {
        if let Some(row) = state.store.conversation(&public_id).await? {
            announce_change(&state, row).await?;
        }
    }
    Ok((no_store(), Json(account(after))).into_response())
}

async fn audit(State(state): State<AppState>, Administrator(_admin): Administrator) -> Result<Response, Error> {
    let entries = state
        .store
        .audit_log(AUDIT_SHOWN)
        .await?
        .into_iter()
        .map(|row| AuditEntry {
            at: crate::rfc3339(row.at),
            actor: row.actor,
            action: row.action,
            subject: row.subject,
            before: row.before,
            after: row.after,
        })
        .collect();
    Ok((no_store(), Json(AuditLog { entries })).into_response())
}
