//! The member tables' return types as the checker reads them: the text
//! (`"string"`, `"IEnumerable<T>"`, `"KeyValuePair<TKey, TValue>"`,
//! `"int?"`, `"byte[]"`, `"?"`, `"void"`) parsed and resolved with the
//! call's generic arguments, the receiver's and its element type; and the
//! element types of enumerables (for LINQ lambdas and `foreach`).
//! Unknown names give `dynamic`, never an error.

use super::ty::{Prim, Ty, DYNAMIC};
use crate::library::{self, text};
use crate::types::{TypeKind, TypeRef};

/// The type environment of a member's return-type text: the call's
/// generic arguments, the receiver type's, and the receiver's element
/// type (for extension methods such as LINQ's).
pub struct Env<'e> {
    pub method: &'e [TypeRef],
    pub ty: &'e [TypeRef],
    pub elem: Option<&'e TypeRef>,
}

/// A member table's return type (`"string"`, `"IEnumerable<T>"`, `"?"`).
pub fn from_table(text: &str, env: &Env<'_>) -> Ty {
    match text.trim() {
        "void" => Ty::Void,
        "?" | "" | "dynamic" => Ty::Dyn,
        t => {
            let mut p = RetParser {
                s: t.as_bytes(),
                i: 0,
                env,
            };
            match p.ty() {
                Some(r) if p.i >= p.s.len() => Ty::known(r),
                _ => Ty::Dyn,
            }
        }
    }
}

struct RetParser<'s, 'e> {
    s: &'s [u8],
    i: usize,
    env: &'s Env<'e>,
}

impl RetParser<'_, '_> {
    fn skip_ws(&mut self) {
        while self.s.get(self.i).is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip_ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// A type; unknown names give the `dynamic` placeholder.
    fn ty(&mut self) -> Option<TypeRef> {
        self.skip_ws();
        let start = self.i;
        while self
            .s
            .get(self.i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'.')
        {
            self.i += 1;
        }
        let name = std::str::from_utf8(self.s.get(start..self.i)?).ok()?;
        if name.is_empty() {
            return None;
        }
        let mut args = Vec::new();
        if self.eat(b'<') {
            loop {
                args.push(self.ty()?);
                if self.eat(b',') {
                    continue;
                }
                if self.eat(b'>') {
                    break;
                }
                return None;
            }
        }
        let mut t = self.resolve(name, args);
        if self.eat(b'?') {
            let value = t
                .def()
                .is_some_and(|d| matches!(d.kind, TypeKind::Struct | TypeKind::Enum));
            if value {
                t = TypeRef::Nullable(Box::new(t));
            }
        }
        while self.eat(b'[') {
            if !self.eat(b']') {
                return None;
            }
            t = TypeRef::Array(Box::new(t));
        }
        Some(t)
    }

    fn resolve(&self, name: &str, args: Vec<TypeRef>) -> TypeRef {
        let dynamic = || TypeRef::of(&DYNAMIC);
        if is_type_param(name) {
            let env = self.env;
            let pick = match name {
                "T" | "TSource" => env.method.first().or(env.elem).or_else(|| env.ty.first()),
                "TKey" => env.ty.first(),
                "TValue" => env.ty.get(1),
                "TResult" => env.method.last(),
                _ => None,
            };
            return pick.cloned().unwrap_or_else(dynamic);
        }
        match library::find_type(name, args.len()) {
            Some(d) => TypeRef::Named(d, args.into_boxed_slice()),
            None => dynamic(),
        }
    }
}

/// `T`, `TKey`, `TResult`…: a generic parameter name in a member table.
fn is_type_param(name: &str) -> bool {
    let b = name.as_bytes();
    b.first() == Some(&b'T') && (b.len() == 1 || b.get(1).is_some_and(u8::is_ascii_uppercase))
}

/// The element type of an enumerable static type (`List<T>` → `T`,
/// `string` → `char`, dictionaries → `KeyValuePair<K, V>`); `None` when
/// unknown.
pub fn elem_of(t: &TypeRef) -> Option<TypeRef> {
    match t {
        TypeRef::Array(e) => Some((**e).clone()),
        TypeRef::Nullable(_) => None,
        TypeRef::Named(d, args) => {
            if Prim::of(d) == Some(Prim::String) {
                return Some(TypeRef::of(&text::CHAR));
            }
            match (d.name, args.len()) {
                (
                    "List"
                    | "IEnumerable"
                    | "IList"
                    | "ICollection"
                    | "IReadOnlyCollection"
                    | "IReadOnlyList"
                    | "HashSet"
                    | "ISet"
                    | "Queue"
                    | "Stack"
                    | "IEnumerator"
                    | "IOrderedEnumerable",
                    1,
                ) => Some(args[0].clone()),
                ("IGrouping", 2) => Some(args[1].clone()),
                ("Dictionary" | "IDictionary" | "IReadOnlyDictionary" | "SortedDictionary", 2) => {
                    library::find_type("KeyValuePair", 2).map(|kv| TypeRef::Named(kv, args.clone()))
                }
                ("JArray" | "JContainer" | "JToken", 0) => library::find_type("JToken", 0).map(TypeRef::of),
                _ => None,
            }
        }
    }
}
