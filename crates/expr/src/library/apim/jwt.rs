//! `AsJwt()`/`TryParseJwt(out Jwt)` and the `Jwt` object (reference §3.4).
//!
//! Decisions (APIM's page says neither): the signature is **not** checked
//! (`AsJwt` only decodes; use the validate-jwt policy to validate); a
//! leading `Bearer ` scheme (any case) is stripped, so the documented
//! `Headers.GetValueOrDefault("Authorization","").AsJwt()` works on a
//! real header. A token is three base64url parts whose first two are JSON
//! objects; anything else gives null. Claim values become strings as
//! System.IdentityModel's `JwtSecurityToken` shows them: strings as is,
//! arrays one value per element, other JSON values as their JSON text.
//! `exp`/`iat`/`nbf` are Unix seconds → UTC `DateTime`s (fractions
//! dropped); absent or non-numeric → null.

use std::any::Any;
use std::rc::Rc;

use base64::Engine;
use serde_json::Value as Json;

use super::dict::{MultiDict, CLAIMS};
use super::NS;
use crate::error::EvalResult;
use crate::library::collections::Array;
use crate::library::time::datetime::DateTime;
use crate::runtime::Runtime;
use crate::types::{m, Apim, TypeDef};
use crate::value::{Object, Value};

pub static JWT: TypeDef = TypeDef {
    name: "Jwt",
    namespace: NS,
    apim: Apim::Helper,
    members: &[
        m("Algorithm", "string"),
        m("Audiences", "IEnumerable<string>"),
        m("Claims", "JwtClaims"),
        m("ExpirationTime", "DateTime?"),
        m("Id", "string"),
        m("Issuer", "string"),
        m("IssuedAt", "DateTime?"),
        m("NotBefore", "DateTime?"),
        m("Subject", "string"),
        m("Type", "string"),
    ],
    ..TypeDef::EMPTY
};

/// A decoded token.
pub struct Jwt {
    algorithm: Option<String>,
    typ: Option<String>,
    claims: Rc<MultiDict>,
    expires: Option<i64>,
    issued: Option<i64>,
    not_before: Option<i64>,
}

fn b64url(part: &str) -> Option<Vec<u8>> {
    let trimmed = part.trim_end_matches('=');
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(trimmed).ok()
}

fn json_object(part: &str) -> Option<serde_json::Map<String, Json>> {
    match serde_json::from_slice(&b64url(part)?).ok()? {
        Json::Object(o) => Some(o),
        _ => None,
    }
}

fn claim_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn seconds(v: Option<&Json>) -> Option<i64> {
    let n = v?.as_number()?;
    n.as_i64()
        .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f.floor() as i64))
}

/// Decodes a token (see the module doc); `None` if it is not one.
pub fn parse(input: &str) -> Option<Jwt> {
    let mut t = input.trim();
    if t.len() > 7 && t.get(..7).is_some_and(|s| s.eq_ignore_ascii_case("Bearer ")) {
        t = t.get(7..)?.trim_start();
    }
    let mut parts = t.split('.');
    let (header, payload, sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || b64url(sig).is_none() {
        return None;
    }
    let header = json_object(header)?;
    let payload = json_object(payload)?;
    let text = |o: &serde_json::Map<String, Json>, k: &str| o.get(k).and_then(Json::as_str).map(str::to_owned);
    let mut pairs = Vec::new();
    for (k, v) in &payload {
        match v {
            Json::Array(items) => pairs.extend(items.iter().map(|i| (k.clone(), claim_text(i)))),
            v => pairs.push((k.clone(), claim_text(v))),
        }
    }
    Some(Jwt {
        algorithm: text(&header, "alg"),
        typ: text(&header, "typ"),
        expires: seconds(payload.get("exp")),
        issued: seconds(payload.get("iat")),
        not_before: seconds(payload.get("nbf")),
        claims: Rc::new(MultiDict::new(&CLAIMS, pairs, false)),
    })
}

impl Jwt {
    fn claim(&self, name: &str) -> Value<'static> {
        self.claims.first(name).map_or(Value::Null, Value::string)
    }

    fn date(v: Option<i64>) -> Value<'static> {
        v.map_or(Value::Null, |s| Value::DateTime(DateTime::from_unix_seconds(s)))
    }

    fn audiences(&self) -> Value<'static> {
        Array::strings(self.claims.values("aud").unwrap_or_default().to_vec())
    }
}

impl Object for Jwt {
    fn type_def(&self) -> &'static TypeDef {
        &JWT
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, _: &mut dyn Runtime<'a>, _: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let opt = |s: &Option<String>| s.clone().map_or(Value::Null, Value::string);
        Some(Ok(match name {
            "Algorithm" => opt(&self.algorithm),
            "Type" => opt(&self.typ),
            "Audiences" => self.audiences(),
            "Claims" => Value::Obj(self.claims.clone()),
            "ExpirationTime" => Jwt::date(self.expires),
            "IssuedAt" => Jwt::date(self.issued),
            "NotBefore" => Jwt::date(self.not_before),
            "Id" => self.claim("jti"),
            "Issuer" => self.claim("iss"),
            "Subject" => self.claim("sub"),
            _ => return None,
        }))
    }

    fn fields(&self) -> Option<Vec<(&'static str, Value<'static>)>> {
        let opt = |s: &Option<String>| s.clone().map_or(Value::Null, Value::string);
        Some(vec![
            ("Id", self.claim("jti")),
            ("Algorithm", opt(&self.algorithm)),
            ("Type", opt(&self.typ)),
            ("Issuer", self.claim("iss")),
            ("Subject", self.claim("sub")),
            ("Audiences", self.audiences()),
            ("ExpirationTime", Jwt::date(self.expires)),
            ("IssuedAt", Jwt::date(self.issued)),
            ("NotBefore", Jwt::date(self.not_before)),
            ("Claims", Value::Obj(self.claims.clone())),
        ])
    }

    fn size_hint(&self) -> usize {
        256
    }
}
