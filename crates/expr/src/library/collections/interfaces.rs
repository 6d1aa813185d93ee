//! The collection interfaces APIM allows (`IEnumerable<T>`,
//! `IEnumerator<T>`, `ICollection<T>`, `IList<T>`, `IDictionary<K,V>`,
//! `IReadOnlyCollection<T>`, `IReadOnlyDictionary<K,V>`, `ISet<T>`) and
//! the helper types LINQ and the collections return (`IOrderedEnumerable<T>`,
//! `IGrouping<K,T>`, `ILookup<K,T>`, `IReadOnlyList<T>`, a dictionary's
//! `KeyCollection`/`ValueCollection`, `ReadOnlyCollection<T>`).
//!
//! Interfaces have no code: a call on a value typed by an interface runs
//! the member of the value's own type. Their tables list the interface's
//! members (inherited ones repeated, so a lookup needs no walk of `bases`)
//! for the checker. In return types, `T`/`TKey` is the first generic
//! argument of the type, `TValue` the second.

use crate::types::{m, Apim, Member, TypeDef, TypeKind};

const GENERIC: &str = "System.Collections.Generic";

const ENUMERABLE_MEMBERS: &[Member] = &[m("GetEnumerator", "IEnumerator<T>")];

const COLLECTION_MEMBERS: &[Member] = &[
    m("Count", "int"),
    m("IsReadOnly", "bool"),
    m("Add", "void"),
    m("Clear", "void"),
    m("Contains", "bool"),
    m("CopyTo", "void"),
    m("Remove", "bool"),
    m("GetEnumerator", "IEnumerator<T>"),
];

pub static IENUMERABLE: TypeDef = TypeDef {
    name: "IEnumerable",
    namespace: GENERIC,
    kind: TypeKind::Interface,
    generics: 1,
    members: ENUMERABLE_MEMBERS,
    ..TypeDef::EMPTY
};

pub static IENUMERATOR: TypeDef = TypeDef {
    name: "IEnumerator",
    namespace: GENERIC,
    kind: TypeKind::Interface,
    generics: 1,
    bases: &["IDisposable"],
    members: &[
        m("Current", "T"),
        m("MoveNext", "bool"),
        m("Reset", "void"),
        m("Dispose", "void"),
    ],
    ..TypeDef::EMPTY
};

pub static ICOLLECTION: TypeDef = TypeDef {
    name: "ICollection",
    namespace: GENERIC,
    kind: TypeKind::Interface,
    generics: 1,
    bases: &["IEnumerable"],
    members: COLLECTION_MEMBERS,
    ..TypeDef::EMPTY
};

pub static ILIST: TypeDef = TypeDef {
    name: "IList",
    namespace: GENERIC,
    kind: TypeKind::Interface,
    generics: 1,
    bases: &["ICollection", "IEnumerable"],
    members: &[
        m("this[]", "T"),
        m("IndexOf", "int"),
        m("Insert", "void"),
        m("RemoveAt", "void"),
        m("Count", "int"),
        m("IsReadOnly", "bool"),
        m("Add", "void"),
        m("Clear", "void"),
        m("Contains", "bool"),
        m("CopyTo", "void"),
        m("Remove", "bool"),
        m("GetEnumerator", "IEnumerator<T>"),
    ],
    ..TypeDef::EMPTY
};

pub static IDICTIONARY: TypeDef = TypeDef {
    name: "IDictionary",
    namespace: GENERIC,
    kind: TypeKind::Interface,
    generics: 2,
    bases: &["ICollection", "IEnumerable"],
    members: &[
        m("this[]", "TValue"),
        m("Keys", "ICollection<TKey>"),
        m("Values", "ICollection<TValue>"),
        m("Add", "void"),
        m("ContainsKey", "bool"),
        m("Remove", "bool"),
        m("TryGetValue", "bool"),
        m("Count", "int"),
        m("IsReadOnly", "bool"),
        m("Clear", "void"),
        m("Contains", "bool"),
        m("CopyTo", "void"),
        m("GetEnumerator", "?"),
    ],
    ..TypeDef::EMPTY
};

pub static IREADONLYCOLLECTION: TypeDef = TypeDef {
    name: "IReadOnlyCollection",
    namespace: GENERIC,
    kind: TypeKind::Interface,
    generics: 1,
    bases: &["IEnumerable"],
    members: &[m("Count", "int"), m("GetEnumerator", "IEnumerator<T>")],
    ..TypeDef::EMPTY
};

pub static IREADONLYDICTIONARY: TypeDef = TypeDef {
    name: "IReadOnlyDictionary",
    namespace: GENERIC,
    kind: TypeKind::Interface,
    generics: 2,
    bases: &["IReadOnlyCollection", "IEnumerable"],
    members: &[
        m("this[]", "TValue"),
        m("Keys", "IEnumerable<TKey>"),
        m("Values", "IEnumerable<TValue>"),
        m("ContainsKey", "bool"),
        m("TryGetValue", "bool"),
        m("Count", "int"),
        m("GetEnumerator", "?"),
    ],
    ..TypeDef::EMPTY
};

pub static ISET: TypeDef = TypeDef {
    name: "ISet",
    namespace: GENERIC,
    kind: TypeKind::Interface,
    generics: 1,
    bases: &["ICollection", "IEnumerable"],
    members: &[
        m("Add", "bool"),
        m("UnionWith", "void"),
        m("IntersectWith", "void"),
        m("ExceptWith", "void"),
        m("SymmetricExceptWith", "void"),
        m("IsSubsetOf", "bool"),
        m("IsSupersetOf", "bool"),
        m("IsProperSubsetOf", "bool"),
        m("IsProperSupersetOf", "bool"),
        m("Overlaps", "bool"),
        m("SetEquals", "bool"),
        m("Count", "int"),
        m("IsReadOnly", "bool"),
        m("Clear", "void"),
        m("Contains", "bool"),
        m("CopyTo", "void"),
        m("Remove", "bool"),
        m("GetEnumerator", "IEnumerator<T>"),
    ],
    ..TypeDef::EMPTY
};

/// `IReadOnlyList<T>` (not in APIM's table; what arrays and lists are).
pub static IREADONLYLIST: TypeDef = TypeDef {
    name: "IReadOnlyList",
    namespace: GENERIC,
    kind: TypeKind::Interface,
    generics: 1,
    apim: Apim::Helper,
    bases: &["IReadOnlyCollection", "IEnumerable"],
    members: &[
        m("this[]", "T"),
        m("Count", "int"),
        m("GetEnumerator", "IEnumerator<T>"),
    ],
    ..TypeDef::EMPTY
};

/// What `OrderBy`/`ThenBy` return.
pub static IORDEREDENUMERABLE: TypeDef = TypeDef {
    name: "IOrderedEnumerable",
    namespace: "System.Linq",
    kind: TypeKind::Interface,
    generics: 1,
    apim: Apim::Helper,
    bases: &["IEnumerable"],
    members: ENUMERABLE_MEMBERS,
    ..TypeDef::EMPTY
};

/// A group of `GroupBy`/`ToLookup`: its `Key` and its elements.
pub static IGROUPING: TypeDef = TypeDef {
    name: "IGrouping",
    namespace: "System.Linq",
    kind: TypeKind::Interface,
    generics: 2,
    apim: Apim::Helper,
    bases: &["IEnumerable"],
    members: &[m("Key", "TKey"), m("GetEnumerator", "?")],
    ..TypeDef::EMPTY
};

/// What `ToLookup` returns.
pub static ILOOKUP: TypeDef = TypeDef {
    name: "ILookup",
    namespace: "System.Linq",
    kind: TypeKind::Interface,
    generics: 2,
    apim: Apim::Helper,
    bases: &["IEnumerable"],
    members: &[
        m("this[]", "?"),
        m("Count", "int"),
        m("Contains", "bool"),
        m("GetEnumerator", "?"),
    ],
    ..TypeDef::EMPTY
};

const VIEW_MEMBERS: &[Member] = &[
    m("Count", "int"),
    m("Contains", "bool"),
    m("CopyTo", "void"),
    m("GetEnumerator", "?"),
];

/// `Dictionary<TKey, TValue>.KeyCollection` (`dict.Keys`: a live view).
pub static KEY_COLLECTION: TypeDef = TypeDef {
    name: "KeyCollection",
    namespace: GENERIC,
    generics: 2,
    apim: Apim::Helper,
    bases: &["ICollection", "IReadOnlyCollection", "IEnumerable"],
    members: VIEW_MEMBERS,
    ..TypeDef::EMPTY
};

/// `Dictionary<TKey, TValue>.ValueCollection` (`dict.Values`: a live view).
pub static VALUE_COLLECTION: TypeDef = TypeDef {
    name: "ValueCollection",
    namespace: GENERIC,
    generics: 2,
    apim: Apim::Helper,
    bases: &["ICollection", "IReadOnlyCollection", "IEnumerable"],
    members: VIEW_MEMBERS,
    ..TypeDef::EMPTY
};

/// `System.Collections.ObjectModel.ReadOnlyCollection<T>` (`AsReadOnly()`).
pub static READ_ONLY_COLLECTION: TypeDef = TypeDef {
    name: "ReadOnlyCollection",
    namespace: "System.Collections.ObjectModel",
    generics: 1,
    apim: Apim::Helper,
    bases: &[
        "IList",
        "ICollection",
        "IReadOnlyList",
        "IReadOnlyCollection",
        "IEnumerable",
    ],
    members: &[
        m("this[]", "T"),
        m("Count", "int"),
        m("Contains", "bool"),
        m("IndexOf", "int"),
        m("CopyTo", "void"),
        m("GetEnumerator", "IEnumerator<T>"),
    ],
    ..TypeDef::EMPTY
};

/// The interfaces and helper types, for the family's `TYPES`.
pub static TYPES: &[&TypeDef] = &[
    &IENUMERABLE,
    &IENUMERATOR,
    &ICOLLECTION,
    &ILIST,
    &IDICTIONARY,
    &IREADONLYCOLLECTION,
    &IREADONLYDICTIONARY,
    &ISET,
    &IREADONLYLIST,
    &IORDEREDENUMERABLE,
    &IGROUPING,
    &ILOOKUP,
    &KEY_COLLECTION,
    &VALUE_COLLECTION,
    &READ_ONLY_COLLECTION,
];
