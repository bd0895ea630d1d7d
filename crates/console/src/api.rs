//! The console's only HTTP code: the `/v1/agent/*` routes, same origin, cookie-authenticated.

use accueil_protocol::{Agent, AgentLogin, ErrorBody};
use gloo_net::http::{Request, Response};

#[derive(Debug, Clone, PartialEq)]
pub enum ApiFailure {
    Unreachable,
    Refused { status: u16, body: Option<ErrorBody> },
}

async fn refused(response: Response) -> ApiFailure {
    ApiFailure::Refused { status: response.status(), body: response.json().await.ok() }
}

pub async fn me() -> Result<Agent, ApiFailure> {
    let response = Request::get("/v1/agent/me").send().await.map_err(|_| ApiFailure::Unreachable)?;
    if response.ok() {
        response.json().await.map_err(|_| ApiFailure::Unreachable)
    } else {
        Err(refused(response).await)
    }
}

pub async fn login(email: String, password: String) -> Result<Agent, ApiFailure> {
    let request =
        Request::post("/v1/agent/login").json(&AgentLogin { email, password }).map_err(|_| ApiFailure::Unreachable)?;
    let response = request.send().await.map_err(|_| ApiFailure::Unreachable)?;
    if response.ok() {
        response.json().await.map_err(|_| ApiFailure::Unreachable)
    } else {
        Err(refused(response).await)
    }
}

pub async fn logout() -> Result<(), ApiFailure> {
    let response = Request::post("/v1/agent/logout").send().await.map_err(|_| ApiFailure::Unreachable)?;
    if response.ok() || response.status() == 401 { Ok(()) } else { Err(refused(response).await) }
}
