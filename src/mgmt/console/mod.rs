//! The web console (`/console`): gateways and their instances (version,
//! applied configuration, last heartbeat, token expiry, sync errors), and
//! per gateway and per API charts of requests, p50/p95/p99 latency and error
//! rate from the stored metrics. Plain HTML with server-rendered SVG: no
//! script and no front-end framework (the Content-Security-Policy forbids
//! scripts altogether).
//!
//! Routes: `GET /console`, `/console/gateways/{g}`, `/console/apis/{api}`
//! (`?range=1h|6h|24h|7d`), `GET/POST /console/login`, `POST
//! /console/logout`, `GET /console/style.css` and `/console/favicon.svg`.
//!
//! Authentication is `/mgmt`'s: a request carries an admin bearer token
//! (the admin token or an administrator's OAuth2 token, reader or
//! contributor: the console only reads), or the session cookie a browser
//! got by posting such a token to the sign-in form ([`session`]). Without
//! either, a page redirects to the sign-in form. A failed sign-in answers 401
//! with the form again and never echoes the token.

pub mod chart;
pub mod html;
pub mod pages;
pub mod session;

use super::principal::Principal;
use super::server::{Req, Resp, State};
use super::{tokens, MgmtError};

/// Routes `/console/...`; `segs` are the path segments after `console`.
pub fn handle(state: &State, req: &Req, segs: &[&str]) -> Result<Resp, MgmtError> {
    let m = req.method.as_str();
    let get = m == "GET" || m == "HEAD";
    match segs {
        ["style.css"] if get => Ok(html::stylesheet()),
        ["favicon.svg"] if get => Ok(html::favicon()),
        ["login"] if get => match signed_in(state, req) {
            Some(_) => Ok(html::redirect("/console")),
            None => Ok(html::respond(200, pages::login(None))),
        },
        ["login"] if m == "POST" => Ok(login(state, req)),
        ["logout"] if m == "POST" => {
            if let Some(id) = req.header("Cookie").and_then(session::from_cookie) {
                state.console.remove(id);
            }
            Ok(html::redirect("/console/login").with_header("Set-Cookie", session::clear_cookie(state.secure_cookies)))
        }
        _ if !get => Ok(html::respond(405, pages::not_found(None, "method not allowed"))),
        _ => {
            let Some(who) = signed_in(state, req) else {
                return Ok(html::redirect("/console/login"));
            };
            page(state, req, segs, &who)
        }
    }
}

fn page(state: &State, req: &Req, segs: &[&str], who: &Principal) -> Result<Resp, MgmtError> {
    let range = pages::range(req.query("range"));
    let now = tokens::now_unix();
    let store = &state.store;
    let html = match segs {
        [] | [""] => Some(pages::overview(store, who, range, now)?),
        ["gateways", g] if super::model::validate_id("gateway", g).is_ok() => {
            pages::gateway(store, g, who, range, now)?
        }
        ["apis", a] if super::model::validate_id("api", a).is_ok() => pages::api(store, a, who, range, now)?,
        _ => None,
    };
    Ok(match html {
        Some(h) => html::respond(200, h),
        None => html::respond(404, pages::not_found(Some(who), "No such gateway, API or page.")),
    })
}

/// The principal of a session cookie or of an admin bearer token.
fn signed_in(state: &State, req: &Req) -> Option<Principal> {
    if let Some(p) = req
        .header("Cookie")
        .and_then(session::from_cookie)
        .and_then(|id| state.console.get(id))
    {
        return Some(p);
    }
    req.header("Authorization")?;
    super::server::authenticate_admin(state, req).ok()
}

/// `POST /console/login` with `token=…` (form-encoded).
fn login(state: &State, req: &Req) -> Resp {
    let token = form_field(&req.body, "token").unwrap_or_default();
    let token = token.trim();
    if token.is_empty() {
        return html::respond(400, pages::login(Some("A token is required.")));
    }
    match super::server::principal_for_token(state, token) {
        Ok(p) => {
            tracing::info!(principal = %p.id, role = p.role.as_str(), "console sign-in");
            let id = state.console.create(p);
            html::redirect("/console").with_header("Set-Cookie", session::set_cookie(&id, state.secure_cookies))
        }
        Err(e) => {
            let (status, _) = e.status_and_code();
            let message = if status == 403 {
                e.to_string()
            } else {
                "That token is not valid for this management plane.".to_string()
            };
            html::respond(if status == 403 { 403 } else { 401 }, pages::login(Some(&message)))
        }
    }
}

/// A field of an `application/x-www-form-urlencoded` body.
fn form_field(body: &[u8], name: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (super::server::percent_decode(k, true) == name).then(|| super::server::percent_decode(v, true))
    })
}

#[cfg(test)]
mod tests;
