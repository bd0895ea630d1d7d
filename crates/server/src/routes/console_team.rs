//! The team, for administrators: the accounts of their sites, inviting someone by email, changing
//! one's role and sites, deactivating one (its sessions end at once, its conversations wait again), and the audit log every
//! such change lands in.

use super::account_links::{INVITATION_HOURS, console_link, new_link, send_notice};
use super::no_store;
use crate::chat::announce_change;
use crate::error::Error;
use crate::extract::{Administrator, ApiJson, SignedInAgent};
use crate::mail::Notice;
use crate::startup::AppState;
use crate::store::{AgentRow, NewAudit, SiteScope};
use accueil_protocol::{
    Account, Accounts, AuditEntry, AuditLog, ChangeAccount, FieldCode, Invite, LinkPurpose, Locale,
};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};

/// Entries the console shows of the audit log.
const AUDIT_SHOWN: u32 = 200;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/v1/agent/accounts", get(accounts).post(invite))
        .route("/v1/agent/accounts/{id}", put(change))
        .route("/v1/agent/accounts/{id}/deactivate", post(deactivate))
        .route("/v1/agent/audit", get(audit))
}

fn account(row: AgentRow) -> Account {
    let invited = row.invited();
    Account {
        id: row.id,
        email: row.email,
        name: row.name,
        role: row.role,
        sites: row.sites.to_stored(),
        active: row.active,
        invited,
    }
}

/// Longest name an account may have: it shows in the visitor's chat header.
const NAME_CHARS: usize = 80;

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

/// The sites an administrator gives an account: ones the server has and the administrator works on.
fn given_sites(state: &AppState, admin: &SignedInAgent, sites: &[String]) -> Result<SiteScope, Error> {
    let sites = SiteScope::from_stored(sites.iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect());
    if sites == SiteScope::Only(Vec::new()) {
        return Err(Error::Validation {
            message: "an account works on at least one site".to_owned(),
            fields: Error::field_coded("sites", FieldCode::Required, "give at least one site"),
        });
    }
    if let Some(unknown) = sites.to_stored().iter().find(|s| *s != SiteScope::EVERY && state.sites.get(s).is_none()) {
        return Err(Error::Validation {
            message: "every site must be one this server has".to_owned(),
            fields: Error::field("sites", format!("no site is named `{unknown}`")),
        });
    }
    if !manages(admin, &sites) {
        return Err(Error::Validation {
            message: "you can give only the sites you work on".to_owned(),
            fields: Error::field("sites", "includes a site you do not work on"),
        });
    }
    Ok(sites)
}

/// The sites of an invitation, in words for its mail.
fn sites_in_words(state: &AppState, sites: &SiteScope, english: bool) -> String {
    match sites {
        SiteScope::Every => (if english { "every site" } else { "tous les sites" }).to_owned(),
        SiteScope::Only(sites) => sites
            .iter()
            .map(|site| state.sites.get(site).map_or_else(|| site.clone(), |s| s.public.name.clone()))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// Creates an account and mails it an invitation to choose its password. Inviting again an address
/// whose invitation waits sends a new link (at most one a minute), as the console's "send again".
async fn invite(
    State(state): State<AppState>,
    Administrator(admin): Administrator,
    ApiJson(request): ApiJson<Invite>,
) -> Result<Response, Error> {
    let email = request.email.trim();
    let name = request.name.trim();
    let mut fields = Vec::new();
    if let Some(problem) = crate::mail::address_problem(email) {
        fields.extend(Error::field("email", problem));
    }
    if name.is_empty() {
        fields.extend(Error::field_coded("name", FieldCode::Required, "enter the person's name"));
    } else if name.chars().count() > NAME_CHARS {
        fields.extend(Error::field_coded("name", FieldCode::TooLong, format!("at most {NAME_CHARS} characters")));
    }
    if !fields.is_empty() {
        return Err(Error::Validation { message: "the invitation is not complete".to_owned(), fields });
    }
    let sites = given_sites(&state, &admin, &request.sites)?;
    if state.config.mail.is_none() {
        return Err(Error::Unavailable("email is not set up on this server; use `accueil agent add`".to_owned()));
    }
    let english = request.locale == Locale::En;
    let (token, link) = new_link(LinkPurpose::Invitation, INVITATION_HOURS)?;
    let (row, status) = match state.store.agent_by_email(email).await? {
        Some(existing) if existing.invited() && existing.active && manages(&admin, &existing.sites) => {
            let audit = audit_of(&admin, "invitation_sent", &existing, None);
            if !state.store.insert_agent_link(existing.id, &link, 60, Some(&audit)).await? {
                return Err(Error::RateLimited { retry_after: 60 });
            }
            (existing, StatusCode::OK)
        }
        Some(_) => {
            return Err(Error::Validation {
                message: "an account already has this address".to_owned(),
                fields: Error::field_coded("email", FieldCode::NotAllowed, "an account already has this address"),
            });
        }
        None => {
            let invited = AgentRow {
                id: 0,
                email: email.to_owned(),
                name: name.to_owned(),
                password_hash: String::new(),
                sites: sites.clone(),
                role: request.role,
                active: true,
                locked_until: None,
            };
            let audit = NewAudit { before: None, ..audit_of(&admin, "account_invited", &invited, state_of(&invited)) };
            let row = state
                .store
                .insert_agent(email, name, "", &sites, request.role, link.created_at, Some((&link, &audit)))
                .await?;
            (row, StatusCode::CREATED)
        }
    };
    let notice = Notice::invitation(
        english,
        &admin.agent.name,
        &row.name,
        &sites_in_words(&state, &row.sites, english),
        console_link(&state, LinkPurpose::Invitation, &token),
        INVITATION_HOURS,
    );
    send_notice(&state, &row.email, &notice).await?;
    Ok((status, no_store(), Json(account(row))).into_response())
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
    let sites = given_sites(&state, &admin, &request.sites)?;
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
