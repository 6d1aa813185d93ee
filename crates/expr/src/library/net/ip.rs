//! `System.Net.IPAddress`, limited as APIM limits it (2023 revision) to
//! `AddressFamily`, `Equals`, `GetAddressBytes`, `IsLoopback` (static),
//! `Parse`, `TryParse`, `ToString`; and `AddressFamily` as a helper enum
//! (APIM does not list it: a policy can compare its `ToString()`).
//!
//! Parsing is std's (dotted-quad IPv4, RFC 4291 IPv6 text) plus .NET's
//! IPv6 scope suffix (`%3`, numeric only) and brackets; .NET's legacy IPv4
//! forms (`1.2`, octal, hex) are not accepted (documented).

use std::any::Any;
use std::net::IpAddr;
use std::rc::Rc;

use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::Array;
use crate::runtime::Runtime;
use crate::types::{m, Apim, TypeDef, TypeKind, TypeRef};
use crate::value::{Object, Value};

pub static ADDRESS_FAMILY: TypeDef = TypeDef {
    name: "AddressFamily",
    namespace: "System.Net.Sockets",
    kind: TypeKind::Enum,
    apim: Apim::Helper,
    enum_values: &[("Unspecified", 0), ("InterNetwork", 2), ("InterNetworkV6", 23)],
    ..TypeDef::EMPTY
};

pub static IP_ADDRESS: TypeDef = TypeDef {
    name: "IPAddress",
    namespace: "System.Net",
    apim: Apim::Only(&[
        "AddressFamily",
        "Equals",
        "GetAddressBytes",
        "IsLoopback",
        "Parse",
        "TryParse",
        "ToString",
    ]),
    statics: &[m("Parse", "IPAddress"), m("TryParse", "bool"), m("IsLoopback", "bool")],
    members: &[
        m("AddressFamily", "AddressFamily"),
        m("GetAddressBytes", "byte[]"),
        m("Equals", "bool"),
    ],
    call_static: Some(call_static),
    ..TypeDef::EMPTY
};

/// An `IPAddress` (with an IPv6 scope id).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IpAddress {
    pub addr: IpAddr,
    pub scope: u32,
}

/// `IPAddress.Parse` without the exception.
pub fn parse(s: &str) -> Option<IpAddress> {
    let t = s.trim();
    if let Ok(v4) = t.parse::<std::net::Ipv4Addr>() {
        return Some(IpAddress {
            addr: IpAddr::V4(v4),
            scope: 0,
        });
    }
    let t = t.strip_prefix('[').map_or(t, |r| r.split(']').next().unwrap_or(r));
    let (addr, scope) = match t.split_once('%') {
        Some((a, s)) => (a, s.parse::<u32>().ok()?),
        None => (t, 0),
    };
    addr.parse::<std::net::Ipv6Addr>().ok().map(|a| IpAddress {
        addr: IpAddr::V6(a),
        scope,
    })
}

impl IpAddress {
    fn text(&self) -> String {
        match (self.addr, self.scope) {
            (IpAddr::V6(a), s) if s != 0 => format!("{a}%{s}"),
            (a, _) => a.to_string(),
        }
    }
}

fn addr_arg(v: &Value<'_>) -> EvalResult<IpAddress> {
    match v.downcast::<IpAddress>() {
        Some(a) => Ok(a.clone()),
        None if v.is_null() => Err(crate::library::crypto::null_arg("address")),
        None => Err(EvalError::argument(format!(
            "address: expected an IPAddress, got {}",
            v.type_name()
        ))),
    }
}

fn call_static<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    Some(match (name, args) {
        ("Parse", [s]) => crate::library::crypto::str_arg(s, "ipString").and_then(|s| {
            parse(s)
                .map(Value::obj)
                .ok_or_else(|| EvalError::new(EvalErrorKind::Format, "An invalid IP address was specified."))
        }),
        ("TryParse", [s, _]) => {
            let r = s.as_str().and_then(parse);
            let ok = r.is_some();
            rt.set_out(1, r.map_or(Value::Null, Value::obj))
                .map(|()| Value::Bool(ok))
        }
        ("IsLoopback", [a]) => addr_arg(a).map(|a| {
            Value::Bool(match a.addr {
                IpAddr::V4(v) => v.is_loopback(),
                IpAddr::V6(v) => v.is_loopback() || v.to_ipv4_mapped().is_some_and(|m| m.is_loopback()),
            })
        }),
        _ => return None,
    })
}

impl Object for IpAddress {
    fn type_def(&self) -> &'static TypeDef {
        &IP_ADDRESS
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, _: &mut dyn Runtime<'a>, _: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        match name {
            "AddressFamily" => Some(Ok(Value::Enum(
                &ADDRESS_FAMILY,
                if self.addr.is_ipv4() { 2 } else { 23 },
            ))),
            _ => None,
        }
    }

    fn call<'a>(
        &self,
        _: &mut dyn Runtime<'a>,
        _: &Rc<dyn Object>,
        name: &str,
        _: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        match (name, args) {
            ("GetAddressBytes", []) => Some(Ok(Array::bytes(match self.addr {
                IpAddr::V4(a) => a.octets().to_vec(),
                IpAddr::V6(a) => a.octets().to_vec(),
            }))),
            ("Equals", [o]) => Some(Ok(Value::Bool(o.downcast::<IpAddress>() == Some(self)))),
            _ => None,
        }
    }

    fn to_text(&self) -> String {
        self.text()
    }

    fn equals(&self, other: &dyn Object) -> Option<bool> {
        Some(other.as_any().downcast_ref::<IpAddress>() == Some(self))
    }

    fn hash_code(&self) -> Option<u64> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.hash(&mut h);
        Some(h.finish())
    }
}
