//! Names: written types ([`ast::TypeName`] → [`TypeRef`]), dotted paths
//! that start with a namespace or a type (`System.Text.Encoding.UTF8`),
//! and member lookup in the library's tables, with the three refusals the
//! issue asks to tell apart: "allowed by APIM, not implemented by Outpost
//! yet", "not allowed by APIM", and "has no member".
//!
//! Invariants: a member is found in its type's `members`/`statics` or in
//! those of its `bases` (by name, transitively); `ToString`, `Equals`,
//! `GetHashCode` and `GetType` exist on every type; APIM's `Only`/`Except`
//! lists are enforced on what is found (but a member a base's list names
//! is allowed: `Match.Value` through `Capture`) and explain why a missing
//! member is refused.

use crate::error::CompileError;
use crate::library::{self, allowed, collections};
use crate::syntax::ast::TypeName;
use crate::types::{Apim, Member, TypeDef, TypeKind, TypeRef};

/// Members every value has (`System.Object`'s), with their return types.
pub const OBJECT_MEMBERS: &[(&str, &str)] = &[
    ("ToString", "string"),
    ("Equals", "bool"),
    ("GetHashCode", "int"),
    ("GetType", "Type"),
];

/// The type written as `tn` (not `var`).
pub fn resolve_type(tn: &TypeName) -> Result<TypeRef, CompileError> {
    if tn.name == "dynamic" {
        return Err(CompileError::at(
            tn.pos,
            "`dynamic` is not allowed in policy expressions by APIM",
        ));
    }
    let mut args = Vec::with_capacity(tn.args.len());
    for a in &tn.args {
        args.push(resolve_type(a)?);
    }
    let mut t = if (tn.name == "Nullable" || tn.name == "System.Nullable") && args.len() == 1 {
        let inner = args.pop().unwrap_or(TypeRef::of(&library::OBJECT));
        TypeRef::Nullable(Box::new(inner))
    } else {
        match library::find_type(&tn.name, args.len()) {
            Some(d) => TypeRef::Named(d, args.into_boxed_slice()),
            None => return Err(CompileError::at(tn.pos, unknown_type(&tn.name, tn.args.len()))),
        }
    };
    if tn.nullable && !matches!(t, TypeRef::Nullable(_)) {
        if let TypeRef::Named(d, _) = &t {
            if matches!(d.kind, TypeKind::Struct | TypeKind::Enum) {
                t = TypeRef::Nullable(Box::new(t));
            }
        }
    }
    for _ in 0..tn.array {
        t = TypeRef::Array(Box::new(t));
    }
    Ok(t)
}

/// Why `name` (a type as written, with `arity` generic arguments) is no
/// type Outpost knows.
pub fn unknown_type(name: &str, arity: usize) -> String {
    let short = name.rsplit('.').next().unwrap_or(name);
    if let Some(d) = library::types().find(|d| d.name == short || d.aliases.contains(&name)) {
        if usize::from(d.generics) != arity {
            return format!("`{}` takes {} type argument(s), not {arity}", d.name, d.generics);
        }
    }
    if allowed::apim_allows(name).is_some() {
        format!("`{name}` is allowed by APIM, not implemented by Outpost yet")
    } else if !name.contains('.') && name.starts_with(|c: char| c.is_lowercase() || c == '_') {
        format!("unknown name `{name}`")
    } else {
        format!("`{name}` is not allowed in policy expressions by APIM")
    }
}

/// Whether `prefix` is a namespace of some type (implemented or allowed).
fn is_namespace(prefix: &str) -> bool {
    let under = |ns: &str| ns == prefix || (ns.starts_with(prefix) && ns.as_bytes().get(prefix.len()) == Some(&b'.'));
    library::types().any(|d| under(d.namespace)) || allowed::ALLOWED.iter().any(|(ns, _, _)| under(ns))
}

/// What a dotted path `a.b.c…` starts with.
pub enum PathStart {
    /// The type named by the first `n` segments.
    Type(&'static TypeDef, usize),
}

/// Resolves the start of a dotted path of names as a type (`Math`,
/// `System.Math`); the error explains what is wrong otherwise.
pub fn resolve_path(segs: &[&str]) -> Result<PathStart, String> {
    let mut name = String::new();
    for (i, s) in segs.iter().enumerate() {
        if i > 0 {
            name.push('.');
        }
        name.push_str(s);
        if let Some(d) = library::find_type(&name, 0) {
            return Ok(PathStart::Type(d, i + 1));
        }
    }
    let mut ns_len = 0;
    let mut prefix = String::new();
    for (i, s) in segs.iter().enumerate() {
        if i > 0 {
            prefix.push('.');
        }
        prefix.push_str(s);
        if is_namespace(&prefix) {
            ns_len = i + 1;
        } else {
            break;
        }
    }
    if ns_len == 0 {
        return Err(unknown_type(segs.first().copied().unwrap_or(""), 0));
    }
    if ns_len >= segs.len() {
        return Err(format!("`{}` is a namespace, not a value", segs.join(".")));
    }
    Err(unknown_type(&segs[..=ns_len].join("."), 0))
}

/// The type named `name` with any arity (for `bases`).
fn by_name(name: &str) -> impl Iterator<Item = &'static TypeDef> + '_ {
    library::types().filter(move |d| d.name == name)
}

/// `def` and its bases, transitively (bounded).
pub fn chain(def: &'static TypeDef) -> Vec<&'static TypeDef> {
    let mut out = vec![def];
    let mut i = 0;
    while i < out.len() && out.len() < 64 {
        let d = out[i];
        for b in d.bases {
            for bd in by_name(b) {
                if !out.iter().any(|x| x.is(bd)) {
                    out.push(bd);
                }
            }
        }
        i += 1;
    }
    out
}

/// Other implemented types with the same short name and arity as `def`
/// (`Extensions` is Newtonsoft's and System.Xml.Linq's).
pub fn namesakes(def: &'static TypeDef) -> impl Iterator<Item = &'static TypeDef> {
    library::types().filter(move |d| d.name == def.name && d.generics == def.generics && !d.is(def))
}

/// The type definition member lookup uses for a static type.
pub fn def_of(t: &TypeRef) -> Option<&'static TypeDef> {
    match t {
        TypeRef::Array(_) => Some(&collections::ARRAY),
        t => t.def(),
    }
}

fn apim_allows_member(apim: Apim, name: &str) -> Option<bool> {
    match apim {
        Apim::All | Apim::Helper => None,
        Apim::Only(l) => Some(l.contains(&name)),
        Apim::Except(l) => Some(!l.contains(&name)),
    }
}

/// A member found in the tables.
pub struct Found {
    pub member: &'static Member,
}

/// Looks up instance (`is_static == false`) or static member `name` of
/// `def` and its bases: `Ok(None)` if it is none of them (the caller tries
/// extension methods, then calls [`missing`]), an error if APIM's list
/// for the type refuses it (a family may implement more than APIM allows,
/// for its own use; the list is the contract).
pub fn find_member(def: &'static TypeDef, name: &str, is_static: bool) -> Result<Option<Found>, String> {
    let chain = chain(def);
    for d in &chain {
        let m = if is_static {
            d.static_member(name)
        } else {
            d.member(name)
        };
        if let Some(member) = m {
            if apim_refuses(&chain, name) {
                return Err(format!("`{}.{name}` is not allowed by APIM", def.name));
            }
            return Ok(Some(Found { member }));
        }
    }
    Ok(None)
}

/// Whether APIM's list for the type (`chain[0]`) refuses `name`, which no
/// base's list names either (`Match.Value` is allowed through `Capture`).
fn apim_refuses(chain: &[&'static TypeDef], name: &str) -> bool {
    let Some(def) = chain.first() else {
        return false;
    };
    // `object`'s members and operators are never listed; the indexer is
    // listed as `Item`.
    if OBJECT_MEMBERS.iter().any(|(n, _)| *n == name) || name.starts_with("op_") {
        return false;
    }
    let name = if name == "this[]" { "Item" } else { name };
    apim_allows_member(def.apim, name) == Some(false)
        && !chain
            .iter()
            .skip(1)
            .any(|x| matches!(x.apim, Apim::Only(l) if l.contains(&name)))
}

/// The refusal for member `name` that `def` (and its bases) lacks.
pub fn missing(def: &'static TypeDef, name: &str) -> String {
    let chain = chain(def);
    if apim_refuses(&chain, name) {
        return format!("`{}.{name}` is not allowed by APIM", def.name);
    }
    if chain.iter().any(|d| d.unimplemented.contains(&name)) {
        return format!(
            "`{}.{name}` is allowed by APIM, not implemented by Outpost yet",
            def.name
        );
    }
    format!("`{}` has no member `{name}`", def.name)
}

/// Whether `d` holds extension methods (`Enumerable`, `…Extensions`).
pub fn is_extension_holder(d: &TypeDef) -> bool {
    d.kind == TypeKind::Static && (d.name == "Enumerable" || d.name.ends_with("Extensions"))
}

/// An extension method `name` applicable to a receiver (`enumerable`:
/// whether the receiver is known to be enumerable; LINQ needs it).
pub fn find_extension(name: &str, enumerable: bool) -> Option<Found> {
    library::types()
        .filter(|d| is_extension_holder(d) && (enumerable || d.name != "Enumerable"))
        .find_map(|d| d.static_member(name).map(|member| Found { member }))
}

/// Whether some implemented type has instance member `name` (or an
/// extension method of that name, for calls): what a dynamic receiver
/// accepts. The error says why not.
pub fn any_member(name: &str, call: bool) -> Result<(), String> {
    if OBJECT_MEMBERS.iter().any(|(n, _)| *n == name) || matches!(name, "HasValue" | "Value" | "GetValueOrDefault") {
        return Ok(());
    }
    if library::types().any(|d| d.member(name).is_some()) {
        return Ok(());
    }
    if call && find_extension(name, true).is_some() {
        return Ok(());
    }
    if let Some(d) = library::types().find(|d| d.unimplemented.contains(&name)) {
        return Err(format!(
            "no type Outpost implements has a member `{name}` (`{}.{name}` is allowed by APIM, not implemented by \
             Outpost yet)",
            d.name
        ));
    }
    Err(format!("no type Outpost implements has a member `{name}`"))
}

/// Refuses `new T(…)` when T cannot be constructed.
pub fn check_ctor(t: &TypeRef) -> Result<(), String> {
    let Some(d) = t.def() else {
        return Err(format!("`{t}` cannot be created with `new` this way"));
    };
    if d.ctor.is_some() {
        if apim_allows_member(d.apim, ".ctor") == Some(false) {
            return Err(format!("the constructor of `{}` is not allowed by APIM", d.name));
        }
        return Ok(());
    }
    if d.unimplemented.contains(&".ctor") {
        return Err(format!(
            "`new {}(…)` is allowed by APIM, not implemented by Outpost yet",
            d.name
        ));
    }
    if matches!(d.kind, TypeKind::Static | TypeKind::Interface) {
        return Err(format!(
            "cannot create an instance of the {} `{}`",
            kind_name(d.kind),
            d.name
        ));
    }
    if apim_allows_member(d.apim, ".ctor") == Some(false) {
        return Err(format!("the constructor of `{}` is not allowed by APIM", d.name));
    }
    Err(format!("`{}` has no constructor Outpost implements", d.name))
}

fn kind_name(k: TypeKind) -> &'static str {
    match k {
        TypeKind::Static => "static class",
        TypeKind::Interface => "interface",
        TypeKind::Enum => "enum",
        TypeKind::Struct => "struct",
        TypeKind::Class => "class",
    }
}
