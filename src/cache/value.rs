//! The values `cache-store-value` keeps and `cache-lookup-value` gives
//! back: an expression [`Value`] in a form that can cross threads (a
//! `Value` holds `Rc`s and lives on one worker for one request) and could
//! be written to an external store.
//!
//! What round-trips: `null`, booleans, `char`, every integer and floating
//! type (keeping its C# type), `decimal`, strings, `DateTime`,
//! `DateTimeOffset`, `TimeSpan`, `Guid`, enum values, and JSON tokens
//! (`JObject`, `JArray`, `JValue`), kept as their JSON text and parsed
//! again on lookup (`JToken.Parse` with Newtonsoft's defaults: a string that
//! looks like a date comes back as a date token, a `Guid`/`Uri`/`TimeSpan`
//! token as a string token). Anything else (XML nodes, collections,
//! anonymous objects, `context` objects) is refused with its .NET type
//! name: storing its `ToString()` would hand a different type back.
//!
//! Invariant: [`CachedValue`] owns all its data and is `Send + Sync`;
//! rebuilding a JSON token is bounded by the expression budget.

use std::borrow::Cow;

use outpost_expr::context::{Context, IntField, Msg, Ns, TextField, UrlKind, Values};
use outpost_expr::library::json;
use outpost_expr::library::time::{DateTime, DateTimeOffset, TimeSpan};
use outpost_expr::runtime::Runtime;
use outpost_expr::value::Decimal;
use outpost_expr::{EvalError, EvalErrorKind, Limits, TypeDef, Value};

/// A cached expression value.
#[derive(Clone, Debug, PartialEq)]
pub enum CachedValue {
    Null,
    Bool(bool),
    Char(char),
    SByte(i8),
    Byte(u8),
    Short(i16),
    UShort(u16),
    Int(i32),
    UInt(u32),
    Long(i64),
    ULong(u64),
    Float(f32),
    Double(f64),
    Decimal(Decimal),
    Str(Box<str>),
    DateTime(DateTime),
    DateTimeOffset(DateTimeOffset),
    TimeSpan(TimeSpan),
    Guid(u128),
    Enum(&'static TypeDef, i64),
    /// A JSON token (object, array or value), as its JSON text.
    Json(Box<str>),
}

/// A value whose type cannot be cached (its .NET type name).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "a value of type {0} cannot be cached (strings, numbers, booleans, dates, time spans, GUIDs and JSON tokens can)"
)]
pub struct NotCacheable(pub String);

impl CachedValue {
    /// The cacheable form of `v`.
    pub fn from_value(v: &Value<'_>) -> Result<CachedValue, NotCacheable> {
        Ok(match v {
            Value::Null => CachedValue::Null,
            Value::Bool(b) => CachedValue::Bool(*b),
            Value::Char(c) => CachedValue::Char(*c),
            Value::SByte(n) => CachedValue::SByte(*n),
            Value::Byte(n) => CachedValue::Byte(*n),
            Value::Short(n) => CachedValue::Short(*n),
            Value::UShort(n) => CachedValue::UShort(*n),
            Value::Int(n) => CachedValue::Int(*n),
            Value::UInt(n) => CachedValue::UInt(*n),
            Value::Long(n) => CachedValue::Long(*n),
            Value::ULong(n) => CachedValue::ULong(*n),
            Value::Float(n) => CachedValue::Float(*n),
            Value::Double(n) => CachedValue::Double(*n),
            Value::Decimal(n) => CachedValue::Decimal(*n),
            Value::Str(s) => CachedValue::Str((**s).into()),
            Value::DateTime(d) => CachedValue::DateTime(*d),
            Value::DateTimeOffset(d) => CachedValue::DateTimeOffset(*d),
            Value::TimeSpan(t) => CachedValue::TimeSpan(*t),
            Value::Guid(g) => CachedValue::Guid(*g),
            Value::Enum(def, n) => CachedValue::Enum(def, *n),
            Value::Obj(o) => match v.downcast::<json::Node>() {
                Some(node) if json_storable(node) => CachedValue::Json(json::write::token_json(node, false).into()),
                _ => return Err(NotCacheable(o.type_def().full_name())),
            },
            Value::Lambda(_) => return Err(NotCacheable("System.Func".into())),
            Value::Ns(_) | Value::Dict(_) => return Err(NotCacheable(outpost_expr::library::to_text_plain(v))),
        })
    }

    /// The expression value again; a JSON token is parsed within `limits`.
    pub fn to_value(&self, limits: &Limits) -> Result<Value<'static>, EvalError> {
        Ok(match self {
            CachedValue::Null => Value::Null,
            CachedValue::Bool(b) => Value::Bool(*b),
            CachedValue::Char(c) => Value::Char(*c),
            CachedValue::SByte(n) => Value::SByte(*n),
            CachedValue::Byte(n) => Value::Byte(*n),
            CachedValue::Short(n) => Value::Short(*n),
            CachedValue::UShort(n) => Value::UShort(*n),
            CachedValue::Int(n) => Value::Int(*n),
            CachedValue::UInt(n) => Value::UInt(*n),
            CachedValue::Long(n) => Value::Long(*n),
            CachedValue::ULong(n) => Value::ULong(*n),
            CachedValue::Float(n) => Value::Float(*n),
            CachedValue::Double(n) => Value::Double(*n),
            CachedValue::Decimal(n) => Value::Decimal(*n),
            CachedValue::Str(s) => Value::Str(Cow::Owned(s.to_string())),
            CachedValue::DateTime(d) => Value::DateTime(*d),
            CachedValue::DateTimeOffset(d) => Value::DateTimeOffset(*d),
            CachedValue::TimeSpan(t) => Value::TimeSpan(*t),
            CachedValue::Guid(g) => Value::Guid(*g),
            CachedValue::Enum(def, n) => Value::Enum(def, *n),
            CachedValue::Json(text) => {
                let mut rt = Detached::new(limits);
                json::parse(&mut rt, text)?
            }
        })
    }

    /// Bytes this value holds (for the cache's size bound).
    pub fn weight(&self) -> usize {
        std::mem::size_of::<CachedValue>()
            + match self {
                CachedValue::Str(s) | CachedValue::Json(s) => s.len(),
                _ => 0,
            }
    }
}

/// Whether a token reads back as itself from its JSON text (a property or
/// a constructor does not parse as a token; a raw token is any text).
fn json_storable(node: &json::Node) -> bool {
    !matches!(
        node.token_type(),
        json::TokenType::Property | json::TokenType::Constructor | json::TokenType::Raw | json::TokenType::Comment
    )
}

/// A runtime for library calls outside an evaluation (parsing cached JSON):
/// no context, no lambdas, the budget of one evaluation.
struct Detached {
    limits: Limits,
    steps: u64,
    bytes: usize,
}

impl Detached {
    fn new(limits: &Limits) -> Self {
        Detached {
            limits: *limits,
            steps: 0,
            bytes: 0,
        }
    }
}

impl<'a> Runtime<'a> for Detached {
    fn context(&self) -> &'a dyn Context {
        &NoContext
    }

    fn invoke(&mut self, _f: &Value<'a>, _args: &[Value<'a>]) -> Result<Value<'a>, EvalError> {
        Err(EvalError::argument("no lambdas outside an evaluation"))
    }

    fn lambda_arity(&self, _f: &Value<'a>) -> Option<usize> {
        None
    }

    fn set_out(&mut self, _arg: usize, _value: Value<'a>) -> Result<(), EvalError> {
        Err(EvalError::argument("no out arguments outside an evaluation"))
    }

    fn charge(&mut self, steps: u64) -> Result<(), EvalError> {
        self.steps = self.steps.saturating_add(steps);
        if self.steps > self.limits.max_steps {
            return Err(EvalError::new(EvalErrorKind::Budget, "step budget exceeded"));
        }
        Ok(())
    }

    fn alloc(&mut self, bytes: usize) -> Result<(), EvalError> {
        self.bytes = self.bytes.saturating_add(bytes);
        if self.bytes > self.limits.max_bytes {
            return Err(EvalError::new(EvalErrorKind::Budget, "memory budget exceeded"));
        }
        Ok(())
    }

    fn random_u64(&mut self) -> u64 {
        0
    }
}

/// The empty context of [`Detached`] (JSON parsing never reads it).
struct NoContext;

impl Context for NoContext {
    fn text(&self, _field: TextField) -> Option<Cow<'_, str>> {
        None
    }

    fn int(&self, _field: IntField) -> i32 {
        0
    }

    fn present(&self, _object: Ns) -> bool {
        false
    }

    fn header(&self, _msg: Msg, _name: &str) -> Option<Values<'_>> {
        None
    }

    fn query(&self, _url: UrlKind, _name: &str) -> Option<Values<'_>> {
        None
    }

    fn matched_parameter(&self, _name: &str) -> Option<Cow<'_, str>> {
        None
    }

    fn variable(&self, _name: &str) -> Option<Value<'_>> {
        None
    }

    fn set_variable(&mut self, _name: &str, _value: Value<'static>) {}

    fn timestamp(&self) -> DateTime {
        DateTime::from_unix_seconds(0)
    }

    fn elapsed(&self) -> TimeSpan {
        TimeSpan::from_millis(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            max_steps: 100_000,
            max_bytes: 1 << 20,
        }
    }

    fn round_trip(v: Value<'static>) -> Value<'static> {
        let c = CachedValue::from_value(&v).expect("cacheable");
        c.to_value(&limits()).expect("rebuilt")
    }

    fn text(v: &Value<'_>) -> String {
        outpost_expr::library::to_text_plain(v)
    }

    #[test]
    fn scalars_keep_their_type() {
        for v in [
            Value::Null,
            Value::Bool(true),
            Value::Char('x'),
            Value::Int(-7),
            Value::Long(1 << 40),
            Value::ULong(u64::MAX),
            Value::Double(1.5),
            Value::Str(Cow::Borrowed("token-abc")),
            Value::Guid(0x1234),
            Value::TimeSpan(TimeSpan::from_millis(1500)),
        ] {
            let back = round_trip(v.clone().into_owned());
            assert_eq!(std::mem::discriminant(&back), std::mem::discriminant(&v));
            assert_eq!(text(&back), text(&v));
        }
    }

    #[test]
    fn json_tokens_round_trip_through_their_text() {
        let mut rt = Detached::new(&limits());
        let obj = json::parse(
            &mut rt,
            r#"{"access_token":"abc","expires_in":3600,"scopes":["a","b"]}"#,
        )
        .unwrap();
        let c = CachedValue::from_value(&obj).unwrap();
        assert!(matches!(&c, CachedValue::Json(t) if t.contains("access_token")));
        let back = c.to_value(&limits()).unwrap();
        let node = back.downcast::<json::Node>().expect("a JSON token");
        assert_eq!(node.token_type(), json::TokenType::Object);
        assert_eq!(
            json::write::token_json(node, false),
            json::write::token_json(obj.downcast::<json::Node>().unwrap(), false)
        );
    }

    #[test]
    fn other_objects_are_refused_by_type_name() {
        let mut rt = Detached::new(&limits());
        let obj = json::parse(&mut rt, r#"{"a":1}"#).unwrap();
        let prop = obj.downcast::<json::Node>().unwrap().children().remove(0);
        let err = CachedValue::from_value(&json::members::obj(prop)).unwrap_err();
        assert!(err.0.contains("JProperty"), "{err}");
        assert!(CachedValue::from_value(&Value::Lambda(0)).is_err());
    }

    #[test]
    fn rebuilding_json_is_bounded_by_the_budget() {
        let big = format!("[{}1]", "1,".repeat(10_000));
        let c = CachedValue::Json(big.into());
        let tight = Limits {
            max_steps: 10,
            max_bytes: 100,
        };
        assert!(c.to_value(&tight).is_err());
        assert!(c.to_value(&limits()).is_ok());
    }

    #[test]
    fn cached_values_cross_threads() {
        fn send_sync<T: Send + Sync + 'static>() {}
        send_sync::<CachedValue>();
    }
}
