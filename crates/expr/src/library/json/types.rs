//! The JSON family's type definitions: what the checker knows of
//! Newtonsoft.Json (`JsonConvert`, `Formatting`) and Newtonsoft.Json.Linq
//! (`JToken` and its subclasses, `JTokenType`, `Extensions`), with every
//! implemented member and its C# return type, and the real .NET members
//! Outpost does not implement (refused at load as "not implemented yet").
//!
//! Members are listed on the type that declares them in Newtonsoft; the
//! checker finds inherited ones through `bases`.

use crate::types::{m, Apim, TypeDef, TypeKind};

use super::{enumerable, statics};

const NS: &str = "Newtonsoft.Json.Linq";

/// `Newtonsoft.Json.Linq.JTokenType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenType {
    None = 0,
    Object = 1,
    Array = 2,
    Constructor = 3,
    Property = 4,
    Comment = 5,
    Integer = 6,
    Float = 7,
    String = 8,
    Boolean = 9,
    Null = 10,
    Undefined = 11,
    Date = 12,
    Raw = 13,
    Bytes = 14,
    Guid = 15,
    Uri = 16,
    TimeSpan = 17,
}

impl TokenType {
    /// The enum member's name (what `Type.ToString()` and messages show).
    pub fn name(self) -> &'static str {
        JTOKENTYPE
            .enum_values
            .iter()
            .find(|(_, v)| *v == self as i64)
            .map_or("None", |(n, _)| n)
    }
}

pub static JTOKENTYPE: TypeDef = TypeDef {
    name: "JTokenType",
    namespace: NS,
    kind: TypeKind::Enum,
    enum_values: &[
        ("None", 0),
        ("Object", 1),
        ("Array", 2),
        ("Constructor", 3),
        ("Property", 4),
        ("Comment", 5),
        ("Integer", 6),
        ("Float", 7),
        ("String", 8),
        ("Boolean", 9),
        ("Null", 10),
        ("Undefined", 11),
        ("Date", 12),
        ("Raw", 13),
        ("Bytes", 14),
        ("Guid", 15),
        ("Uri", 16),
        ("TimeSpan", 17),
    ],
    ..TypeDef::EMPTY
};

/// `Newtonsoft.Json.Formatting`.
pub static FORMATTING: TypeDef = TypeDef {
    name: "Formatting",
    namespace: "Newtonsoft.Json",
    kind: TypeKind::Enum,
    enum_values: &[("None", 0), ("Indented", 1)],
    ..TypeDef::EMPTY
};

/// `Newtonsoft.Json.JsonConvert` (APIM allows only these two members).
pub static JSONCONVERT: TypeDef = TypeDef {
    name: "JsonConvert",
    namespace: "Newtonsoft.Json",
    kind: TypeKind::Static,
    apim: Apim::Only(&["SerializeObject", "DeserializeObject"]),
    statics: &[m("SerializeObject", "string"), m("DeserializeObject", "?")],
    call_static: Some(statics::json_convert),
    ..TypeDef::EMPTY
};

/// Members every token has (declared on `JToken`).
pub static JTOKEN: TypeDef = TypeDef {
    name: "JToken",
    namespace: NS,
    bases: &["IJEnumerable", "IEnumerable", "ICloneable", "IJsonLineInfo"],
    statics: &[m("Parse", "JToken"), m("FromObject", "JToken"), m("DeepEquals", "bool")],
    members: &[
        m("Parent", "JContainer"),
        m("Root", "JToken"),
        m("Next", "JToken"),
        m("Previous", "JToken"),
        m("Path", "string"),
        m("Type", "JTokenType"),
        m("HasValues", "bool"),
        m("First", "JToken"),
        m("Last", "JToken"),
        m("this[]", "JToken"),
        m("Value", "T"),
        m("Values", "?"),
        m("Children", "?"),
        m("Remove", "void"),
        m("Replace", "void"),
        m("AddAfterSelf", "void"),
        m("AddBeforeSelf", "void"),
        m("Ancestors", "IEnumerable<JToken>"),
        m("AncestorsAndSelf", "IEnumerable<JToken>"),
        m("AfterSelf", "IEnumerable<JToken>"),
        m("BeforeSelf", "IEnumerable<JToken>"),
        m("DeepClone", "JToken"),
        m("SelectToken", "JToken"),
        m("SelectTokens", "IEnumerable<JToken>"),
        m("ToObject", "T"),
        m("ToString", "string"),
    ],
    unimplemented: &[
        "WriteTo",
        "WriteToAsync",
        "CreateReader",
        "Annotation",
        "Annotations",
        "AddAnnotation",
        "RemoveAnnotations",
        "HasLineInfo",
        "LineNumber",
        "LinePosition",
        "ReadFrom",
        "ReadFromAsync",
        "Load",
        "LoadAsync",
        "EqualityComparer",
        "GetMetaObject",
    ],
    call_static: Some(statics::jtoken),
    ..TypeDef::EMPTY
};

/// `JContainer`: tokens with children.
pub static JCONTAINER: TypeDef = TypeDef {
    name: "JContainer",
    namespace: NS,
    bases: &[
        "JToken",
        "IList",
        "ICollection",
        "IEnumerable",
        "IJEnumerable",
        "ICloneable",
    ],
    members: &[
        m("Count", "int"),
        m("Descendants", "IEnumerable<JToken>"),
        m("DescendantsAndSelf", "IEnumerable<JToken>"),
        m("Add", "void"),
        m("AddFirst", "void"),
        m("RemoveAll", "void"),
        m("ReplaceAll", "void"),
        m("Merge", "void"),
    ],
    unimplemented: &["CreateWriter", "ListChanged", "AddingNew", "CollectionChanged"],
    call_static: Some(statics::jtoken),
    statics: &[m("DeepEquals", "bool")],
    ..TypeDef::EMPTY
};

pub static JOBJECT: TypeDef = TypeDef {
    name: "JObject",
    namespace: NS,
    bases: &[
        "JContainer",
        "JToken",
        "IDictionary",
        "ICollection",
        "IEnumerable",
        "IJEnumerable",
        "ICloneable",
    ],
    statics: &[
        m("Parse", "JObject"),
        m("FromObject", "JObject"),
        m("DeepEquals", "bool"),
    ],
    members: &[
        m("this[]", "JToken"),
        m("Count", "int"),
        m("Property", "JProperty"),
        m("Properties", "IEnumerable<JProperty>"),
        m("PropertyValues", "IEnumerable<JToken>"),
        m("GetValue", "JToken"),
        m("TryGetValue", "bool"),
        m("ContainsKey", "bool"),
        m("Remove", "?"),
        m("Add", "void"),
    ],
    unimplemented: &[
        "PropertyChanged",
        "PropertyChanging",
        "GetEnumerator",
        "Load",
        "LoadAsync",
    ],
    call_static: Some(statics::jobject),
    ctor: Some(statics::new_jobject),
    ..TypeDef::EMPTY
};

pub static JARRAY: TypeDef = TypeDef {
    name: "JArray",
    namespace: NS,
    bases: &[
        "JContainer",
        "JToken",
        "IList",
        "ICollection",
        "IEnumerable",
        "IJEnumerable",
        "ICloneable",
    ],
    statics: &[m("Parse", "JArray"), m("FromObject", "JArray"), m("DeepEquals", "bool")],
    members: &[
        m("this[]", "JToken"),
        m("Count", "int"),
        m("Add", "void"),
        m("Insert", "void"),
        m("RemoveAt", "void"),
        m("Remove", "?"),
        m("Clear", "void"),
        m("Contains", "bool"),
        m("IndexOf", "int"),
        m("IsReadOnly", "bool"),
    ],
    unimplemented: &["CopyTo", "GetEnumerator", "Load", "LoadAsync"],
    call_static: Some(statics::jarray),
    ctor: Some(statics::new_jarray),
    ..TypeDef::EMPTY
};

pub static JPROPERTY: TypeDef = TypeDef {
    name: "JProperty",
    namespace: NS,
    bases: &[
        "JContainer",
        "JToken",
        "IList",
        "ICollection",
        "IEnumerable",
        "IJEnumerable",
    ],
    members: &[m("Name", "string"), m("Value", "JToken")],
    unimplemented: &["Load", "LoadAsync"],
    ctor: Some(statics::new_jproperty),
    ..TypeDef::EMPTY
};

pub static JCONSTRUCTOR: TypeDef = TypeDef {
    name: "JConstructor",
    namespace: NS,
    bases: &[
        "JContainer",
        "JToken",
        "IList",
        "ICollection",
        "IEnumerable",
        "IJEnumerable",
    ],
    members: &[m("Name", "string"), m("this[]", "JToken")],
    unimplemented: &["Load", "LoadAsync"],
    ctor: Some(statics::new_jconstructor),
    ..TypeDef::EMPTY
};

pub static JVALUE: TypeDef = TypeDef {
    name: "JValue",
    namespace: NS,
    bases: &[
        "JToken",
        "IEquatable",
        "IFormattable",
        "IComparable",
        "IConvertible",
        "IEnumerable",
        "IJEnumerable",
    ],
    statics: &[
        m("CreateNull", "JValue"),
        m("CreateString", "JValue"),
        m("CreateComment", "JValue"),
        m("CreateUndefined", "JValue"),
    ],
    members: &[
        m("Value", "object"),
        m("CompareTo", "int"),
        m("Equals", "bool"),
        m("ToString", "string"),
    ],
    unimplemented: &["GetTypeCode", "WriteTo", "WriteToAsync"],
    call_static: Some(statics::jvalue),
    ctor: Some(statics::new_jvalue),
    ..TypeDef::EMPTY
};

pub static JRAW: TypeDef = TypeDef {
    name: "JRaw",
    namespace: NS,
    bases: &[
        "JValue",
        "JToken",
        "IEquatable",
        "IComparable",
        "IEnumerable",
        "IJEnumerable",
    ],
    unimplemented: &["Create", "CreateAsync"],
    ctor: Some(statics::new_jraw),
    ..TypeDef::EMPTY
};

/// `Newtonsoft.Json.Linq.Extensions`: LINQ-to-JSON extension methods,
/// called as `tokens.Values<string>()` (or statically).
pub static EXTENSIONS: TypeDef = TypeDef {
    name: "Extensions",
    namespace: NS,
    kind: TypeKind::Static,
    statics: &[
        m("Ancestors", "IEnumerable<JToken>"),
        m("AncestorsAndSelf", "IEnumerable<JToken>"),
        m("Descendants", "IEnumerable<JToken>"),
        m("DescendantsAndSelf", "IEnumerable<JToken>"),
        m("Properties", "IEnumerable<JProperty>"),
        m("Values", "?"),
        m("Value", "?"),
        m("Children", "?"),
        m("AsJEnumerable", "IEnumerable<JToken>"),
    ],
    call_static: Some(enumerable::extensions_static),
    ..TypeDef::EMPTY
};

/// What `Children()`, `Properties()`, `Descendants()`, `SelectTokens()`,
/// `Values<T>()`… return: Newtonsoft's `JEnumerable<T>` (and the
/// iterators behind its `IEnumerable<T>` results), a snapshot list.
pub static JENUMERABLE: TypeDef = TypeDef {
    name: "JEnumerable",
    namespace: NS,
    kind: TypeKind::Struct,
    generics: 1,
    apim: Apim::Helper,
    bases: &["IJEnumerable", "IEnumerable"],
    members: &[m("this[]", "IEnumerable<JToken>")],
    ..TypeDef::EMPTY
};

pub static TYPES: &[&TypeDef] = &[
    &JTOKEN,
    &JCONTAINER,
    &JOBJECT,
    &JARRAY,
    &JPROPERTY,
    &JCONSTRUCTOR,
    &JVALUE,
    &JRAW,
    &JTOKENTYPE,
    &FORMATTING,
    &JSONCONVERT,
    &EXTENSIONS,
    &JENUMERABLE,
];
