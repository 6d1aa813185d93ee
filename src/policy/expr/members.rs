//! Member, method and indexer resolution: the tables of what `context`
//! exposes and which methods each type has in the subset.

use super::ast::{Arg, Ast, Kind};
use super::check::{convert, err, resolve_type, Checker, Typed};
use super::datetime::unit;
use super::ir::{Const, DatePart, Member, Method, Node, Side, SpanPart};
use super::types::{CertDate, CertName, DictKind, IntField, Msg, Ns, TextField as T, Type, UrlKind};
use super::CompileError;

/// Type names usable as the receiver of a static member.
const STATIC_TYPES: &[&str] = &[
    "string",
    "String",
    "int",
    "Int32",
    "double",
    "Double",
    "bool",
    "Boolean",
    "Guid",
    "DateTime",
    "TimeSpan",
    "Math",
    "StringComparison",
    "StringSplitOptions",
];

pub fn is_static_type(name: &str) -> bool {
    STATIC_TYPES.contains(&name)
}

/// What a member of a context object is.
fn context_member(ns: Ns, name: &str) -> Option<(Member, Type)> {
    use Member::{Dict, Int, Ns as N, Text};
    let text = |f| Some((Text(f), Type::String));
    match (ns, name) {
        (Ns::Context, "Request") => Some((N(Ns::Request), Type::Ns(Ns::Request))),
        (Ns::Context, "Response") => Some((N(Ns::Response), Type::Ns(Ns::Response))),
        (Ns::Context, "Subscription") => Some((N(Ns::Subscription), Type::Ns(Ns::Subscription))),
        (Ns::Context, "Api") => Some((N(Ns::Api), Type::Ns(Ns::Api))),
        (Ns::Context, "Operation") => Some((N(Ns::Operation), Type::Ns(Ns::Operation))),
        (Ns::Context, "Product") => Some((N(Ns::Product), Type::Ns(Ns::Product))),
        (Ns::Context, "User") => Some((N(Ns::User), Type::Ns(Ns::User))),
        (Ns::Context, "Deployment") => Some((N(Ns::Deployment), Type::Ns(Ns::Deployment))),
        (Ns::Context, "LastError") => Some((N(Ns::LastError), Type::Ns(Ns::LastError))),
        (Ns::Context, "Variables") => Some((Dict(DictKind::Variables), Type::Dict(DictKind::Variables))),
        (Ns::Context, "RequestId") => Some((Text(T::RequestId), Type::Guid)),
        (Ns::Context, "Timestamp") => Some((Member::Timestamp, Type::DateTime)),
        (Ns::Context, "Elapsed") => Some((Member::Elapsed, Type::TimeSpan)),
        (Ns::Request, "Method") => text(T::RequestMethod),
        (Ns::Request, "IpAddress") => text(T::IpAddress),
        (Ns::Request, "Url") => Some((N(Ns::Url(UrlKind::Current)), Type::Ns(Ns::Url(UrlKind::Current)))),
        (Ns::Request, "OriginalUrl") => Some((N(Ns::Url(UrlKind::Original)), Type::Ns(Ns::Url(UrlKind::Original)))),
        (Ns::Request, "Headers") => Some((
            Dict(DictKind::Headers(Msg::Request)),
            Type::Dict(DictKind::Headers(Msg::Request)),
        )),
        (Ns::Request, "MatchedParameters") => Some((
            Dict(DictKind::MatchedParameters),
            Type::Dict(DictKind::MatchedParameters),
        )),
        (Ns::Request, "Body") => Some((N(Ns::Body(Msg::Request)), Type::Ns(Ns::Body(Msg::Request)))),
        (Ns::Request, "Certificate") => Some((N(Ns::Certificate), Type::Ns(Ns::Certificate))),
        (Ns::Certificate, "Subject") | (Ns::CertName(CertName::Subject), "Name") => text(T::CertSubject),
        (Ns::Certificate, "Issuer") | (Ns::CertName(CertName::Issuer), "Name") => text(T::CertIssuer),
        (Ns::Certificate, "Thumbprint") => text(T::CertThumbprint),
        (Ns::Certificate, "SerialNumber") => text(T::CertSerialNumber),
        (Ns::Certificate, "Version") => Some((Int(IntField::CertVersion), Type::Int)),
        (Ns::Certificate, "NotBefore") => Some((Member::CertDate(CertDate::NotBefore), Type::DateTime)),
        (Ns::Certificate, "NotAfter") => Some((Member::CertDate(CertDate::NotAfter), Type::DateTime)),
        (Ns::Certificate, "SubjectName") => Some((
            N(Ns::CertName(CertName::Subject)),
            Type::Ns(Ns::CertName(CertName::Subject)),
        )),
        (Ns::Certificate, "IssuerName") => Some((
            N(Ns::CertName(CertName::Issuer)),
            Type::Ns(Ns::CertName(CertName::Issuer)),
        )),
        (Ns::Response, "StatusCode") => Some((Int(IntField::ResponseStatusCode), Type::Int)),
        (Ns::Response, "StatusReason") => text(T::ResponseStatusReason),
        (Ns::Response, "Headers") => Some((
            Dict(DictKind::Headers(Msg::Response)),
            Type::Dict(DictKind::Headers(Msg::Response)),
        )),
        (Ns::Response, "Body") => Some((N(Ns::Body(Msg::Response)), Type::Ns(Ns::Body(Msg::Response)))),
        (Ns::Url(k), "Scheme") => text(T::UrlScheme(k)),
        (Ns::Url(k), "Host") => text(T::UrlHost(k)),
        (Ns::Url(k), "Path") => text(T::UrlPath(k)),
        (Ns::Url(k), "QueryString") => text(T::UrlQueryString(k)),
        (Ns::Url(k), "Port") => Some((Int(IntField::UrlPort(k)), Type::Int)),
        (Ns::Url(k), "Query") => Some((Dict(DictKind::Query(k)), Type::Dict(DictKind::Query(k)))),
        (Ns::Subscription, "Id") => text(T::SubscriptionId),
        (Ns::Subscription, "Key") => text(T::SubscriptionKey),
        (Ns::Subscription, "Name") => text(T::SubscriptionName),
        (Ns::Subscription, "PrimaryKey") => text(T::SubscriptionPrimaryKey),
        (Ns::Subscription, "SecondaryKey") => text(T::SubscriptionSecondaryKey),
        (Ns::Api, "Id") => text(T::ApiId),
        (Ns::Api, "Name") => text(T::ApiName),
        (Ns::Api, "Path") => text(T::ApiPath),
        (Ns::Api, "Version") => text(T::ApiVersion),
        (Ns::Api, "Revision") => text(T::ApiRevision),
        (Ns::Operation, "Id") => text(T::OperationId),
        (Ns::Operation, "Name") => text(T::OperationName),
        (Ns::Operation, "Method") => text(T::OperationMethod),
        (Ns::Operation, "UrlTemplate") => text(T::OperationUrlTemplate),
        (Ns::Product, "Id") => text(T::ProductId),
        (Ns::Product, "Name") => text(T::ProductName),
        (Ns::User, "Id") => text(T::UserId),
        (Ns::User, "Email") => text(T::UserEmail),
        (Ns::User, "FirstName") => text(T::UserFirstName),
        (Ns::User, "LastName") => text(T::UserLastName),
        (Ns::Deployment, "GatewayId") => text(T::DeploymentGatewayId),
        (Ns::Deployment, "Region") => text(T::DeploymentRegion),
        (Ns::Deployment, "ServiceName") => text(T::DeploymentServiceName),
        (Ns::LastError, "Source") => text(T::LastErrorSource),
        (Ns::LastError, "Reason") => text(T::LastErrorReason),
        (Ns::LastError, "Message") => text(T::LastErrorMessage),
        (Ns::LastError, "Scope") => text(T::LastErrorScope),
        (Ns::LastError, "Section") => text(T::LastErrorSection),
        (Ns::LastError, "Path") => text(T::LastErrorPath),
        (Ns::LastError, "PolicyId") => text(T::LastErrorPolicyId),
        _ => None,
    }
}

/// Properties of values (no parentheses).
fn property(ty: Type, name: &str) -> Option<(Method, Type)> {
    Some(match (ty, name) {
        (Type::String, "Length") => (Method::Length, Type::Int),
        (Type::StringArray, "Length") => (Method::ArrayLength, Type::Int),
        (Type::DateTime, _) => {
            let part = match name {
                "Year" => DatePart::Year,
                "Month" => DatePart::Month,
                "Day" => DatePart::Day,
                "Hour" => DatePart::Hour,
                "Minute" => DatePart::Minute,
                "Second" => DatePart::Second,
                "Millisecond" => DatePart::Millisecond,
                "DayOfYear" => DatePart::DayOfYear,
                _ => return None,
            };
            (Method::DatePart(part), Type::Int)
        }
        (Type::TimeSpan, _) => match name {
            "TotalMilliseconds" => (Method::SpanTotal(unit::MILLISECOND), Type::Double),
            "TotalSeconds" => (Method::SpanTotal(unit::SECOND), Type::Double),
            "TotalMinutes" => (Method::SpanTotal(unit::MINUTE), Type::Double),
            "TotalHours" => (Method::SpanTotal(unit::HOUR), Type::Double),
            "TotalDays" => (Method::SpanTotal(unit::DAY), Type::Double),
            "Milliseconds" => (Method::SpanPart(SpanPart::Milliseconds), Type::Int),
            "Seconds" => (Method::SpanPart(SpanPart::Seconds), Type::Int),
            "Minutes" => (Method::SpanPart(SpanPart::Minutes), Type::Int),
            "Hours" => (Method::SpanPart(SpanPart::Hours), Type::Int),
            "Days" => (Method::SpanPart(SpanPart::Days), Type::Int),
            _ => return None,
        },
        _ => return None,
    })
}

/// A checked argument.
struct A {
    node: Node,
    ty: Type,
    pos: usize,
}

/// Compile-time enum arguments (`StringComparison.OrdinalIgnoreCase`).
#[derive(Default)]
struct Flags {
    ignore_case: Option<bool>,
    remove_empty: Option<bool>,
}

fn call0(recv: Node, method: Method, lift: bool) -> Node {
    Node::Call {
        recv: Some(Box::new(recv)),
        method,
        args: Vec::new(),
        lift,
    }
}

fn static_name(a: &Ast, c: &Checker) -> Option<String> {
    match &a.kind {
        Kind::Name(n) if c.local(n).is_none() && is_static_type(n) => Some(n.clone()),
        _ => None,
    }
}

impl Checker {
    /// `obj.name` / `obj?.name` (not called).
    pub fn member(&mut self, obj: &Ast, name: &str, cond: bool, pos: usize) -> Result<Typed, CompileError> {
        if let Some(ty) = static_name(obj, self) {
            if cond {
                return err(pos, "`?.` cannot be applied to a type");
            }
            let (node, t) = match (ty.as_str(), name) {
                ("DateTime", "UtcNow" | "Now") => (
                    Node::Call {
                        recv: None,
                        method: Method::UtcNow,
                        args: vec![],
                        lift: false,
                    },
                    Type::DateTime,
                ),
                ("string" | "String", "Empty") => (Node::Const(Const::Str("".into())), Type::String),
                ("int" | "Int32", "MaxValue") => (Node::Const(Const::Int(i32::MAX)), Type::Int),
                ("int" | "Int32", "MinValue") => (Node::Const(Const::Int(i32::MIN)), Type::Int),
                ("TimeSpan", "Zero") => {
                    let zero = vec![Node::Const(Const::Double(0.0))];
                    (
                        Node::Call {
                            recv: None,
                            method: Method::SpanFrom(1),
                            args: zero,
                            lift: false,
                        },
                        Type::TimeSpan,
                    )
                }
                ("StringComparison" | "StringSplitOptions", _) => {
                    return err(pos, format!("`{ty}.{name}` is only supported as a method argument"))
                }
                _ => return err(pos, format!("`{ty}.{name}` is not supported")),
            };
            return Ok(Typed::new(node, t));
        }
        let recv = self.typed(obj)?;
        let (rt, lift) = self.receiver(&recv, cond, pos)?;
        if let Type::Ns(ns) = rt {
            let Some((member, ty)) = context_member(ns, name) else {
                return err(pos, format!("`{ns}.{name}` is not supported"));
            };
            let ty = if lift { ty.nullable() } else { ty };
            let node = Node::Member {
                obj: Box::new(recv.node),
                member,
                lift,
            };
            return Ok(Typed { node, ty, lift });
        }
        if let Type::Nullable(p) = recv.ty {
            if !cond {
                match name {
                    "HasValue" => {
                        let node = Node::Bin(
                            super::ir::Op::Ne,
                            Box::new(recv.node),
                            Box::new(Node::Const(Const::Null)),
                        );
                        return Ok(Typed::new(node, Type::Bool));
                    }
                    "Value" => {
                        let node = Node::Convert(super::ir::Conv::Unbox(Type::from(p)), Box::new(recv.node));
                        return Ok(Typed::new(node, Type::from(p)));
                    }
                    _ => return err(pos, format!("`{name}` on {} needs `.Value` first", recv.ty)),
                }
            }
        }
        let Some((method, ty)) = property(rt, name) else {
            if method_exists(rt, name) {
                return err(pos, format!("`{name}` is a method: call it with `()`"));
            }
            return err(pos, format!("{rt} has no supported member `{name}`"));
        };
        let ty = if lift { ty.nullable() } else { ty };
        Ok(Typed {
            node: call0(recv.node, method, lift),
            ty,
            lift,
        })
    }

    /// The receiver's type for member lookup and whether the access lifts null.
    fn receiver(&self, recv: &Typed, cond: bool, pos: usize) -> Result<(Type, bool), CompileError> {
        if cond && !recv.ty.admits_null() {
            return err(
                pos,
                format!("`?.` cannot be applied to {}, which is never null", recv.ty),
            );
        }
        if recv.ty == Type::Null {
            return err(pos, "member access on `null`");
        }
        let rt = if cond { recv.ty.non_null() } else { recv.ty };
        Ok((rt, cond || recv.lift))
    }

    /// `obj[index]` / `obj?[index]`.
    pub fn index(&mut self, obj: &Ast, index: &Ast, cond: bool, pos: usize) -> Result<Typed, CompileError> {
        let recv = self.typed(obj)?;
        let (rt, lift) = self.receiver(&recv, cond, pos)?;
        let (want, ty) = match rt {
            Type::Dict(d) => (Type::String, d.entry_type()),
            Type::StringArray => (Type::Int, Type::String),
            Type::String => (Type::Int, Type::Char),
            _ => return err(pos, format!("{rt} cannot be indexed")),
        };
        let index = self.want(index, want, "the index")?;
        let ty = if lift { ty.nullable() } else { ty };
        let node = Node::Index {
            obj: Box::new(recv.node),
            index: Box::new(index),
            lift,
        };
        Ok(Typed { node, ty, lift })
    }

    /// `callee(args)`.
    pub fn call(&mut self, callee: &Ast, args: &[Arg], pos: usize) -> Result<Typed, CompileError> {
        let Kind::Member {
            obj,
            name,
            cond,
            generics,
        } = &callee.kind
        else {
            return match &callee.kind {
                Kind::Name(n) => err(callee.pos, format!("unknown function `{n}`")),
                _ => err(pos, "this expression cannot be called"),
            };
        };
        let mut flags = Flags::default();
        let mut checked = Vec::with_capacity(args.len());
        for a in args {
            if let Some(n) = &a.name {
                if !(n == "preserveContent" && name == "As") {
                    return err(a.value.pos, format!("named argument `{n}` is not supported"));
                }
            }
            if self.flag(&a.value, &mut flags)? {
                continue;
            }
            let (node, ty) = self.expr(&a.value)?;
            checked.push(A {
                node,
                ty,
                pos: a.value.pos,
            });
        }
        let targs = generics.iter().map(resolve_type).collect::<Result<Vec<_>, _>>()?;
        if let Some(ty) = static_name(obj, self) {
            let (method, rty) = static_method(&ty, name, &checked, &flags, pos)?;
            let params = method_params(method, &checked);
            let args = convert_args(checked, &params)?;
            return Ok(Typed::new(
                Node::Call {
                    recv: None,
                    method,
                    args,
                    lift: false,
                },
                rty,
            ));
        }
        let recv = self.typed(obj)?;
        let (rt, lift) = self.receiver(&recv, *cond, callee.pos)?;
        if !targs.is_empty()
            && !matches!(
                (rt, name.as_str()),
                (Type::Dict(DictKind::Variables), "GetValueOrDefault") | (Type::Ns(Ns::Body(_)), "As")
            )
        {
            return err(callee.pos, format!("generic arguments on `{name}` are not supported"));
        }
        // `Url.ToString()` and `Certificate.ToString()` are context members.
        let text_member = match (rt, name.as_str(), checked.is_empty()) {
            (Type::Ns(Ns::Url(k)), "ToString", true) => Some(T::UrlFull(k)),
            (Type::Ns(Ns::Certificate), "ToString", true) => Some(T::CertText),
            (Type::Ns(Ns::CertName(CertName::Subject)), "ToString", true) => Some(T::CertSubject),
            (Type::Ns(Ns::CertName(CertName::Issuer)), "ToString", true) => Some(T::CertIssuer),
            _ => None,
        };
        if let Some(field) = text_member {
            let node = Node::Member {
                obj: Box::new(recv.node),
                member: Member::Text(field),
                lift,
            };
            return Ok(Typed {
                node,
                ty: Type::String,
                lift,
            });
        }
        if rt == Type::Ns(Ns::Request) || rt == Type::Ns(Ns::Response) {
            return err(callee.pos, format!("method `{name}` is not supported on {rt}"));
        }
        let (method, ty) = instance_method(rt, name, &checked, &targs, &flags, callee.pos)?;
        let params = method_params(method, &checked);
        let args = convert_args(checked, &params)?;
        let ty = if lift { ty.nullable() } else { ty };
        Ok(Typed {
            node: Node::Call {
                recv: Some(Box::new(recv.node)),
                method,
                args,
                lift,
            },
            ty,
            lift,
        })
    }

    /// Consumes `StringComparison.X` / `StringSplitOptions.X` arguments.
    fn flag(&self, a: &Ast, flags: &mut Flags) -> Result<bool, CompileError> {
        let Kind::Member { obj, name, .. } = &a.kind else {
            return Ok(false);
        };
        let Some(ty) = static_name(obj, self) else {
            return Ok(false);
        };
        match (ty.as_str(), name.as_str()) {
            ("StringComparison", "Ordinal" | "InvariantCulture" | "CurrentCulture") => flags.ignore_case = Some(false),
            ("StringComparison", "OrdinalIgnoreCase" | "InvariantCultureIgnoreCase" | "CurrentCultureIgnoreCase") => {
                flags.ignore_case = Some(true)
            }
            ("StringSplitOptions", "None") => flags.remove_empty = Some(false),
            ("StringSplitOptions", "RemoveEmptyEntries") => flags.remove_empty = Some(true),
            ("StringComparison" | "StringSplitOptions", _) => {
                return err(a.pos, format!("`{ty}.{name}` is not supported"))
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

fn method_exists(ty: Type, name: &str) -> bool {
    matches!(
        (ty, name),
        (_, "ToString" | "Equals")
            | (
                Type::String,
                "Contains"
                    | "StartsWith"
                    | "EndsWith"
                    | "ToLower"
                    | "ToUpper"
                    | "Trim"
                    | "Split"
                    | "Replace"
                    | "Substring"
                    | "IndexOf"
            )
            | (
                Type::StringArray,
                "First" | "Last" | "FirstOrDefault" | "LastOrDefault" | "Count"
            )
            | (Type::Dict(_), "GetValueOrDefault" | "ContainsKey")
    )
}

/// Parameter types of a resolved method, for converting its arguments.
/// `checked` is the argument list of variadic methods.
fn method_params(m: Method, checked: &[A]) -> Vec<Type> {
    use Type::{Bool, Double, Int, Object, String as S};
    match m {
        Method::Equals { .. } => vec![S],
        Method::IndexOf { .. }
        | Method::LastIndexOf { .. }
        | Method::Trim(_)
        | Method::Split { .. }
        | Method::Replace => {
            vec![] // strings or chars, checked at resolution
        }
        Method::Substring => vec![Int, Int],
        Method::PadLeft | Method::PadRight => vec![Int, Type::Char],
        Method::IsNullOrEmpty
        | Method::IsNullOrWhiteSpace
        | Method::ParseInt
        | Method::ParseDouble
        | Method::ParseBool => vec![S],
        Method::StaticEquals { .. } => vec![S, S],
        Method::Join => {
            let mut v = vec![S];
            if checked.len() == 2 && checked[1].ty == Type::StringArray {
                v.push(Type::StringArray);
            } else {
                v.extend(std::iter::repeat_n(Object, checked.len().saturating_sub(1)));
            }
            v
        }
        Method::Concat => std::iter::repeat_n(Object, checked.len()).collect(),
        Method::Format => {
            let mut v = vec![S];
            v.extend(std::iter::repeat_n(Object, checked.len().saturating_sub(1)));
            v
        }
        Method::ToTextFormat => vec![S],
        Method::ArrayContains => vec![S],
        Method::GetValueOrDefault { ty, .. } => vec![S, ty],
        Method::ContainsKey => vec![S],
        Method::AddTicks(_) | Method::SpanFrom(_) => vec![Double],
        Method::Min | Method::Max | Method::Abs => {
            let t = if checked.iter().any(|a| a.ty == Double) {
                Double
            } else {
                Int
            };
            vec![t, t]
        }
        Method::BodyAs(_) => vec![Bool],
        _ => vec![],
    }
}

fn convert_args(checked: Vec<A>, params: &[Type]) -> Result<Vec<Node>, CompileError> {
    checked
        .into_iter()
        .enumerate()
        .map(|(i, a)| match params.get(i) {
            None => Ok(a.node),
            Some(&p) => convert(a.node, a.ty, p)
                .ok_or_else(|| CompileError::at(a.pos, format!("argument {} must be {p}, not {}", i + 1, a.ty))),
        })
        .collect()
}

fn arity(name: &str, checked: &[A], range: std::ops::RangeInclusive<usize>, pos: usize) -> Result<(), CompileError> {
    if range.contains(&checked.len()) {
        return Ok(());
    }
    let want = if range.start() == range.end() {
        format!("{}", range.start())
    } else {
        format!("{} to {}", range.start(), range.end())
    };
    err(pos, format!("`{name}` takes {want} argument(s), got {}", checked.len()))
}

fn text_or_chars(name: &str, checked: &[A]) -> Result<(), CompileError> {
    match checked
        .iter()
        .find(|a| !matches!(a.ty, Type::String | Type::Char | Type::Null))
    {
        Some(a) => err(
            a.pos,
            format!("arguments of `{name}` must be strings or chars, not {}", a.ty),
        ),
        None => Ok(()),
    }
}

fn no_flags(flags: &Flags, name: &str, pos: usize) -> Result<(), CompileError> {
    if flags.ignore_case.is_some() || flags.remove_empty.is_some() {
        return err(
            pos,
            format!("`{name}` does not take StringComparison or StringSplitOptions here"),
        );
    }
    Ok(())
}

fn static_method(ty: &str, name: &str, args: &[A], flags: &Flags, pos: usize) -> Result<(Method, Type), CompileError> {
    let ic = flags.ignore_case.unwrap_or(false);
    if flags.remove_empty.is_some() || (flags.ignore_case.is_some() && name != "Equals") {
        return err(pos, format!("`{ty}.{name}` does not take this enum argument"));
    }
    let r = match (ty, name) {
        ("string" | "String", "IsNullOrEmpty") => (1..=1, Method::IsNullOrEmpty, Type::Bool),
        ("string" | "String", "IsNullOrWhiteSpace") => (1..=1, Method::IsNullOrWhiteSpace, Type::Bool),
        ("string" | "String", "Join") => (2..=64, Method::Join, Type::String),
        ("string" | "String", "Concat") => (1..=64, Method::Concat, Type::String),
        ("string" | "String", "Format") => (1..=64, Method::Format, Type::String),
        ("string" | "String", "Equals") => (2..=2, Method::StaticEquals { ic }, Type::Bool),
        ("int" | "Int32", "Parse") => (1..=1, Method::ParseInt, Type::Int),
        ("double" | "Double", "Parse") => (1..=1, Method::ParseDouble, Type::Double),
        ("bool" | "Boolean", "Parse") => (1..=1, Method::ParseBool, Type::Bool),
        ("TimeSpan", "FromMilliseconds") => (1..=1, Method::SpanFrom(unit::MILLISECOND), Type::TimeSpan),
        ("TimeSpan", "FromSeconds") => (1..=1, Method::SpanFrom(unit::SECOND), Type::TimeSpan),
        ("TimeSpan", "FromMinutes") => (1..=1, Method::SpanFrom(unit::MINUTE), Type::TimeSpan),
        ("TimeSpan", "FromHours") => (1..=1, Method::SpanFrom(unit::HOUR), Type::TimeSpan),
        ("TimeSpan", "FromDays") => (1..=1, Method::SpanFrom(unit::DAY), Type::TimeSpan),
        ("Guid", "NewGuid") => (0..=0, Method::NewGuid, Type::Guid),
        ("Math", "Min") => (2..=2, Method::Min, Type::Int),
        ("Math", "Max") => (2..=2, Method::Max, Type::Int),
        ("Math", "Abs") => (1..=1, Method::Abs, Type::Int),
        ("int" | "Int32" | "double" | "Double" | "bool" | "Boolean", "TryParse") => {
            return err(
                pos,
                format!("`{ty}.TryParse` needs an `out` argument, which is not supported"),
            );
        }
        _ => return err(pos, format!("`{ty}.{name}` is not supported")),
    };
    let (range, method, mut rty) = r;
    arity(&format!("{ty}.{name}"), args, range, pos)?;
    if matches!(method, Method::Min | Method::Max | Method::Abs) {
        if let Some(a) = args.iter().find(|a| !a.ty.is_numeric() || a.ty.admits_null()) {
            return err(a.pos, format!("`Math.{name}` takes int or double, not {}", a.ty));
        }
        if args.iter().any(|a| a.ty == Type::Double) {
            rty = Type::Double;
        }
    }
    Ok((method, rty))
}

fn instance_method(
    rt: Type,
    name: &str,
    args: &[A],
    targs: &[Type],
    flags: &Flags,
    pos: usize,
) -> Result<(Method, Type), CompileError> {
    let ic = flags.ignore_case.unwrap_or(false);
    let flagless = |m: Method, t: Type, range: std::ops::RangeInclusive<usize>| {
        no_flags(flags, name, pos)?;
        arity(name, args, range, pos)?;
        Ok::<_, CompileError>((m, t))
    };
    if name == "ToString" {
        return match args.len() {
            0 => flagless(Method::ToText, Type::String, 0..=0),
            _ if matches!(rt.non_null(), Type::DateTime | Type::Guid | Type::Int | Type::Double) => {
                flagless(Method::ToTextFormat, Type::String, 1..=1)
            }
            _ => err(pos, format!("`ToString` with a format is not supported on {rt}")),
        };
    }
    match (rt, name) {
        (Type::String, "Contains" | "StartsWith" | "EndsWith") => {
            arity(name, args, 1..=1, pos)?;
            text_or_chars(name, args)?;
            let m = match name {
                "Contains" => Method::Contains { ic },
                "StartsWith" => Method::StartsWith { ic },
                _ => Method::EndsWith { ic },
            };
            Ok((m, Type::Bool))
        }
        (Type::String, "Equals") => arity(name, args, 1..=1, pos).map(|_| (Method::Equals { ic }, Type::Bool)),
        (Type::String, "IndexOf" | "LastIndexOf") => {
            arity(name, args, 1..=1, pos)?;
            text_or_chars(name, args)?;
            let m = if name == "IndexOf" {
                Method::IndexOf { ic }
            } else {
                Method::LastIndexOf { ic }
            };
            Ok((m, Type::Int))
        }
        (Type::String, "ToLower" | "ToLowerInvariant") => flagless(Method::ToLower, Type::String, 0..=0),
        (Type::String, "ToUpper" | "ToUpperInvariant") => flagless(Method::ToUpper, Type::String, 0..=0),
        (Type::String, "Trim" | "TrimStart" | "TrimEnd") => {
            no_flags(flags, name, pos)?;
            if let Some(a) = args.iter().find(|a| a.ty != Type::Char) {
                return err(a.pos, format!("arguments of `{name}` must be chars, not {}", a.ty));
            }
            let side = match name {
                "Trim" => Side::Both,
                "TrimStart" => Side::Start,
                _ => Side::End,
            };
            Ok((Method::Trim(side), Type::String))
        }
        (Type::String, "Split") => {
            if flags.ignore_case.is_some() {
                return err(pos, "`Split` does not take a StringComparison");
            }
            text_or_chars(name, args)?;
            if args.len() > 1 && args.iter().any(|a| a.ty == Type::String) {
                return err(
                    pos,
                    "`Split` with several string separators needs an array, which is not supported",
                );
            }
            Ok((
                Method::Split {
                    remove_empty: flags.remove_empty.unwrap_or(false),
                },
                Type::StringArray,
            ))
        }
        (Type::String, "Replace") => {
            no_flags(flags, name, pos)?;
            arity(name, args, 2..=2, pos)?;
            let same = (args[0].ty == Type::Char && args[1].ty == Type::Char)
                || (args[0].ty == Type::String && matches!(args[1].ty, Type::String | Type::Null));
            if !same {
                return err(
                    pos,
                    format!(
                        "`Replace` takes (string, string) or (char, char), not ({}, {})",
                        args[0].ty, args[1].ty
                    ),
                );
            }
            Ok((Method::Replace, Type::String))
        }
        (Type::String, "Substring") => flagless(Method::Substring, Type::String, 1..=2),
        (Type::String, "PadLeft") => flagless(Method::PadLeft, Type::String, 1..=2),
        (Type::String, "PadRight") => flagless(Method::PadRight, Type::String, 1..=2),
        (Type::StringArray, "First") => flagless(Method::First { or_default: false }, Type::String, 0..=0),
        (Type::StringArray, "Last") => flagless(Method::Last { or_default: false }, Type::String, 0..=0),
        (Type::StringArray, "FirstOrDefault") => flagless(Method::First { or_default: true }, Type::String, 0..=0),
        (Type::StringArray, "LastOrDefault") => flagless(Method::Last { or_default: true }, Type::String, 0..=0),
        (Type::StringArray, "Count") => flagless(Method::ArrayLength, Type::Int, 0..=0),
        (Type::StringArray, "Contains") => flagless(Method::ArrayContains, Type::Bool, 1..=1),
        (Type::StringArray, "Any" | "Where" | "Select" | "All") => {
            err(pos, format!("LINQ method `{name}` is not supported"))
        }
        (Type::Dict(d), "GetValueOrDefault") => {
            no_flags(flags, name, pos)?;
            arity(name, args, 1..=2, pos)?;
            let default = args.len() == 2;
            let ty = match (d, targs) {
                (DictKind::Variables, [t]) => *t,
                (DictKind::Variables, []) if default => match args[1].ty {
                    Type::Null => Type::Object,
                    t => t,
                },
                (DictKind::Variables, []) => Type::Object,
                (DictKind::Variables, _) => return err(pos, "`GetValueOrDefault` takes one type argument"),
                _ => Type::String,
            };
            Ok((Method::GetValueOrDefault { ty, default }, ty))
        }
        (Type::Dict(_), "ContainsKey") => flagless(Method::ContainsKey, Type::Bool, 1..=1),
        (Type::Dict(_), "TryGetValue") => err(pos, "`TryGetValue` needs an `out` argument, which is not supported"),
        (Type::DateTime, "AddMilliseconds") => flagless(Method::AddTicks(unit::MILLISECOND), Type::DateTime, 1..=1),
        (Type::DateTime, "AddSeconds") => flagless(Method::AddTicks(unit::SECOND), Type::DateTime, 1..=1),
        (Type::DateTime, "AddMinutes") => flagless(Method::AddTicks(unit::MINUTE), Type::DateTime, 1..=1),
        (Type::DateTime, "AddHours") => flagless(Method::AddTicks(unit::HOUR), Type::DateTime, 1..=1),
        (Type::DateTime, "AddDays") => flagless(Method::AddTicks(unit::DAY), Type::DateTime, 1..=1),
        (Type::DateTime, "ToUniversalTime") => flagless(Method::AddTicks(0), Type::DateTime, 0..=0),
        (Type::Ns(Ns::Certificate), "Verify" | "VerifyNoRevocation") => {
            arity(name, args, 0..=0, pos)?;
            Ok((Method::CertVerify, Type::Bool))
        }
        (Type::Ns(Ns::Body(msg)), "As") => {
            if targs != [Type::String] {
                return err(
                    pos,
                    "only `Body.As<string>()` is supported (JObject and other types are not)",
                );
            }
            arity(name, args, 0..=1, pos)?;
            Ok((Method::BodyAs(msg), Type::String))
        }
        _ => err(pos, format!("method `{name}` is not supported on {rt}")),
    }
}
