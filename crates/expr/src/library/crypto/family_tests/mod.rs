//! Unit tests of the crypto family through [`crate::testing::TestRt`]:
//! published test vectors (RFC 1321/3174/6234 hashes, RFC 2202/4231 HMACs,
//! NIST SP 800-38A AES), OpenSSL-made certificate and key
//! (`tests/data/README.md`), and .NET's exceptions.

use base64::Engine;

use super::*;
use crate::library::collections::Array;
use crate::testing::TestRt;
use crate::types::TypeRef;

pub(crate) const RSA_CERT: &[u8] = include_bytes!("../../../../tests/data/rsa-cert.der");
pub(crate) const RSA_KEY: &[u8] = include_bytes!("../../../../tests/data/rsa-key.pk8.der");

/// The gateway's EC test certificate (src/tls/info.rs), for identical output.
pub(crate) const EC_PEM: &str = "-----BEGIN CERTIFICATE-----\nMIICDzCCAbSgAwIBAgIUFgSKK6nGfBb3Okqr9BGbJWin9uMwCgYIKoZIzj0EAwIw\nTDELMAkGA1UEBhMCTkwxFTATBgNVBAgMDFp1aWQtSG9sbGFuZDEVMBMGA1UECgwM\nRXhhbXBsZSwgSW5jMQ8wDQYDVQQDDAZjbGllbnQwHhcNMjYxMTIzMTUxNjI3WhcN\nMzYxMTIwMTUxNjI3WjBMMQswCQYDVQQGEwJOTDEVMBMGA1UECAwMWnVpZC1Ib2xs\nYW5kMRUwEwYDVQQKDAxFeGFtcGxlLCBJbmMxDzANBgNVBAMMBmNsaWVudDBZMBMG\nByqGSM49AgEGCCqGSM49AwEHA0IABHV82CsoNZykQLZXRTvxxjh47xHy2OoiED5u\nCZKDGwISkpdiOZJDhnvi3eDk3sznvuEycLyxyTbOvFGl8/gAdBWjdDByMB0GA1Ud\nDgQWBBR1vHJbXeftprVjYP9JYc+dGbcv6TAfBgNVHSMEGDAWgBR1vHJbXeftprVj\nYP9JYc+dGbcv6TAPBgNVHRMBAf8EBTADAQH/MB8GA1UdEQQYMBaCCWEuZXhhbXBs\nZYIJYi5leGFtcGxlMAoGCCqGSM49BAMCA0kAMEYCIQCrRpeV8c1URITIn0h3kCw8\n7eBporKPIjdL19YDPZ5e2AIhAMvqQJbB/oFwWU+x3VN3IB6XDAt9Kufk867SMspi\nfWBk\n-----END CERTIFICATE-----";

pub(crate) fn call(
    rt: &mut TestRt,
    v: &Value<'static>,
    name: &str,
    args: &[Value<'static>],
) -> EvalResult<Value<'static>> {
    let Value::Obj(o) = v else {
        panic!("not an object: {v:?}")
    };
    o.call(rt, o, name, &[], args)
        .unwrap_or_else(|| panic!("no member {name}"))
}

pub(crate) fn get(rt: &mut TestRt, v: &Value<'static>, name: &str) -> EvalResult<Value<'static>> {
    let Value::Obj(o) = v else {
        panic!("not an object: {v:?}")
    };
    o.get(rt, o, name).unwrap_or_else(|| panic!("no property {name}"))
}

pub(crate) fn set(rt: &mut TestRt, v: &Value<'static>, name: &str, x: Value<'static>) -> EvalResult<()> {
    let Value::Obj(o) = v else {
        panic!("not an object: {v:?}")
    };
    o.set(rt, name, x).unwrap_or_else(|| panic!("no settable {name}"))
}

pub(crate) fn stat(
    rt: &mut TestRt,
    def: &'static TypeDef,
    name: &str,
    args: &[Value<'static>],
) -> EvalResult<Value<'static>> {
    crate::library::call_static(rt, def, name, &[], args).unwrap_or_else(|| panic!("no static {name}"))
}

pub(crate) fn sget(rt: &mut TestRt, def: &'static TypeDef, name: &str) -> Value<'static> {
    crate::library::get_static(rt, def, name)
        .unwrap_or_else(|| panic!("no static {name}"))
        .unwrap()
}

pub(crate) fn new(rt: &mut TestRt, def: &'static TypeDef, args: &[Value<'static>]) -> EvalResult<Value<'static>> {
    crate::library::construct(rt, &TypeRef::of(def), args)
}

pub(crate) fn utf8(s: &str) -> Value<'static> {
    Array::bytes(s.as_bytes().to_vec())
}

pub(crate) fn hexv(h: &str) -> Value<'static> {
    Array::bytes(unhex(h))
}

fn unhex(h: &str) -> Vec<u8> {
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
        .collect()
}

pub(crate) fn hex_of(v: &Value<'static>) -> String {
    Array::to_bytes(v).unwrap().iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn b64_of(v: &Value<'static>) -> String {
    base64::engine::general_purpose::STANDARD.encode(Array::to_bytes(v).unwrap())
}

pub(crate) fn s(v: EvalResult<Value<'static>>) -> String {
    match v.unwrap() {
        Value::Str(s) => s.into_owned(),
        v => panic!("not a string: {v:?}"),
    }
}

mod certificates;
mod ciphers;
mod hashing;
mod keys;
