//! The [`TypeDef`]s of the XML family: System.Xml.Linq's classes (with
//! their member tables: what the checker accepts and the C# type each
//! member returns), `System.Xml.XmlNodeType`, and the helper enums
//! `SaveOptions` and `LoadOptions` (not on APIM's list, usable where a
//! member takes them).
//!
//! Invariants: a member is listed on the class that declares it in .NET
//! (`Element` on `XContainer`, `Parent` on `XObject`); derived classes
//! name their bases in `bases`, which the checker walks; a .NET member
//! Outpost lacks is in `unimplemented`.

use crate::types::{m, Apim, TypeDef, TypeKind};

use super::statics;

const NS: &str = "System.Xml.Linq";

const NODE_BASES: &[&str] = &["XNode", "XObject", "IXmlLineInfo"];
const CONTAINER_BASES: &[&str] = &["XContainer", "XNode", "XObject", "IXmlLineInfo"];

/// `XObject`: the base of nodes and attributes.
pub static XOBJECT: TypeDef = TypeDef {
    name: "XObject",
    namespace: NS,
    bases: &["IXmlLineInfo"],
    members: &[
        m("BaseUri", "string"),
        m("Document", "XDocument"),
        m("NodeType", "XmlNodeType"),
        m("Parent", "XElement"),
    ],
    unimplemented: &[
        "AddAnnotation",
        "Annotation",
        "Annotations",
        "RemoveAnnotations",
        "Changed",
        "Changing",
    ],
    ..TypeDef::EMPTY
};

/// `XNode`: elements, documents, text, comments, processing instructions,
/// document types.
pub static XNODE: TypeDef = TypeDef {
    name: "XNode",
    namespace: NS,
    bases: &["XObject", "IXmlLineInfo"],
    members: &[
        m("NextNode", "XNode"),
        m("PreviousNode", "XNode"),
        m("AddAfterSelf", "void"),
        m("AddBeforeSelf", "void"),
        m("Ancestors", "IEnumerable<XElement>"),
        m("ElementsAfterSelf", "IEnumerable<XElement>"),
        m("ElementsBeforeSelf", "IEnumerable<XElement>"),
        m("IsAfter", "bool"),
        m("IsBefore", "bool"),
        m("NodesAfterSelf", "IEnumerable<XNode>"),
        m("NodesBeforeSelf", "IEnumerable<XNode>"),
        m("Remove", "void"),
        m("ReplaceWith", "void"),
        m("ToString", "string"),
    ],
    statics: &[
        m("CompareDocumentOrder", "int"),
        m("DeepEquals", "bool"),
        m("DocumentOrderComparer", "XNodeDocumentOrderComparer"),
        m("EqualityComparer", "XNodeEqualityComparer"),
    ],
    unimplemented: &["CreateReader", "WriteTo", "WriteToAsync", "ReadFrom", "ReadFromAsync"],
    get_static: Some(statics::xnode_get),
    call_static: Some(statics::xnode_call),
    ..TypeDef::EMPTY
};

/// `XContainer`: elements and documents.
pub static XCONTAINER: TypeDef = TypeDef {
    name: "XContainer",
    namespace: NS,
    bases: NODE_BASES,
    members: &[
        m("FirstNode", "XNode"),
        m("LastNode", "XNode"),
        m("Add", "void"),
        m("AddFirst", "void"),
        m("DescendantNodes", "IEnumerable<XNode>"),
        m("Descendants", "IEnumerable<XElement>"),
        m("Element", "XElement"),
        m("Elements", "IEnumerable<XElement>"),
        m("Nodes", "IEnumerable<XNode>"),
        m("RemoveNodes", "void"),
        m("ReplaceNodes", "void"),
    ],
    unimplemented: &["CreateWriter"],
    ..TypeDef::EMPTY
};

/// `XElement`.
pub static XELEMENT: TypeDef = TypeDef {
    name: "XElement",
    namespace: NS,
    bases: &["XContainer", "XNode", "XObject", "IXmlLineInfo", "IXmlSerializable"],
    members: &[
        m("FirstAttribute", "XAttribute"),
        m("LastAttribute", "XAttribute"),
        m("HasAttributes", "bool"),
        m("HasElements", "bool"),
        m("IsEmpty", "bool"),
        m("Name", "XName"),
        m("Value", "string"),
        m("AncestorsAndSelf", "IEnumerable<XElement>"),
        m("Attribute", "XAttribute"),
        m("Attributes", "IEnumerable<XAttribute>"),
        m("DescendantNodesAndSelf", "IEnumerable<XNode>"),
        m("DescendantsAndSelf", "IEnumerable<XElement>"),
        m("GetDefaultNamespace", "XNamespace"),
        m("GetNamespaceOfPrefix", "XNamespace"),
        m("GetPrefixOfNamespace", "string"),
        m("RemoveAll", "void"),
        m("RemoveAttributes", "void"),
        m("ReplaceAll", "void"),
        m("ReplaceAttributes", "void"),
        m("SetAttributeValue", "void"),
        m("SetElementValue", "void"),
        m("SetValue", "void"),
    ],
    statics: &[m("Parse", "XElement"), m("EmptySequence", "IEnumerable<XElement>")],
    unimplemented: &[
        "Load",
        "LoadAsync",
        "Save",
        "SaveAsync",
        "WriteTo",
        "WriteToAsync",
        "GetSchema",
        "ReadXml",
        "WriteXml",
    ],
    get_static: Some(statics::xelement_get),
    call_static: Some(statics::xelement_call),
    ctor: Some(statics::xelement_new),
    ..TypeDef::EMPTY
};

/// `XDocument` (APIM allows every member but `Load`).
pub static XDOCUMENT: TypeDef = TypeDef {
    name: "XDocument",
    namespace: NS,
    apim: Apim::Except(&["Load"]),
    bases: CONTAINER_BASES,
    members: &[
        m("Declaration", "XDeclaration"),
        m("DocumentType", "XDocumentType"),
        m("Root", "XElement"),
    ],
    statics: &[m("Parse", "XDocument")],
    unimplemented: &["LoadAsync", "Save", "SaveAsync", "WriteTo", "WriteToAsync"],
    call_static: Some(statics::xdocument_call),
    ctor: Some(statics::xdocument_new),
    ..TypeDef::EMPTY
};

/// `XAttribute`.
pub static XATTRIBUTE: TypeDef = TypeDef {
    name: "XAttribute",
    namespace: NS,
    bases: &["XObject", "IXmlLineInfo"],
    members: &[
        m("IsNamespaceDeclaration", "bool"),
        m("Name", "XName"),
        m("NextAttribute", "XAttribute"),
        m("PreviousAttribute", "XAttribute"),
        m("Value", "string"),
        m("Remove", "void"),
        m("SetValue", "void"),
        m("ToString", "string"),
    ],
    statics: &[m("EmptySequence", "IEnumerable<XAttribute>")],
    get_static: Some(statics::xattribute_get),
    ctor: Some(statics::xattribute_new),
    ..TypeDef::EMPTY
};

/// `XText`.
pub static XTEXT: TypeDef = TypeDef {
    name: "XText",
    namespace: NS,
    bases: NODE_BASES,
    members: &[m("Value", "string")],
    ctor: Some(statics::xtext_new),
    ..TypeDef::EMPTY
};

/// `XCData` (an `XText` written as a CDATA section).
pub static XCDATA: TypeDef = TypeDef {
    name: "XCData",
    namespace: NS,
    bases: &["XText", "XNode", "XObject", "IXmlLineInfo"],
    ctor: Some(statics::xcdata_new),
    ..TypeDef::EMPTY
};

/// `XComment`.
pub static XCOMMENT: TypeDef = TypeDef {
    name: "XComment",
    namespace: NS,
    bases: NODE_BASES,
    members: &[m("Value", "string")],
    ctor: Some(statics::xcomment_new),
    ..TypeDef::EMPTY
};

/// `XProcessingInstruction`.
pub static XPROCESSINGINSTRUCTION: TypeDef = TypeDef {
    name: "XProcessingInstruction",
    namespace: NS,
    bases: NODE_BASES,
    members: &[m("Data", "string"), m("Target", "string")],
    ctor: Some(statics::xpi_new),
    ..TypeDef::EMPTY
};

/// `XDocumentType` (a `<!DOCTYPE>`; Outpost never reads a DTD).
pub static XDOCUMENTTYPE: TypeDef = TypeDef {
    name: "XDocumentType",
    namespace: NS,
    bases: NODE_BASES,
    members: &[
        m("InternalSubset", "string"),
        m("Name", "string"),
        m("PublicId", "string"),
        m("SystemId", "string"),
    ],
    ctor: Some(statics::xdoctype_new),
    ..TypeDef::EMPTY
};

/// `XDeclaration` (not an `XObject`).
pub static XDECLARATION: TypeDef = TypeDef {
    name: "XDeclaration",
    namespace: NS,
    members: &[
        m("Encoding", "string"),
        m("Standalone", "string"),
        m("Version", "string"),
        m("ToString", "string"),
    ],
    ctor: Some(statics::xdeclaration_new),
    ..TypeDef::EMPTY
};

/// `XName`: an expanded name (namespace + local name).
pub static XNAME: TypeDef = TypeDef {
    name: "XName",
    namespace: NS,
    bases: &["IEquatable"],
    members: &[
        m("LocalName", "string"),
        m("Namespace", "XNamespace"),
        m("NamespaceName", "string"),
        m("ToString", "string"),
        m("op_Equality", "bool"),
        m("op_Inequality", "bool"),
    ],
    statics: &[m("Get", "XName")],
    call_static: Some(statics::xname_call),
    ..TypeDef::EMPTY
};

/// `XNamespace`.
pub static XNAMESPACE: TypeDef = TypeDef {
    name: "XNamespace",
    namespace: NS,
    members: &[
        m("NamespaceName", "string"),
        m("GetName", "XName"),
        m("ToString", "string"),
        m("op_Addition", "XName"),
        m("op_Equality", "bool"),
        m("op_Inequality", "bool"),
    ],
    statics: &[
        m("Get", "XNamespace"),
        m("None", "XNamespace"),
        m("Xml", "XNamespace"),
        m("Xmlns", "XNamespace"),
    ],
    get_static: Some(statics::xnamespace_get),
    call_static: Some(statics::xnamespace_call),
    ..TypeDef::EMPTY
};

/// `XNodeDocumentOrderComparer`.
pub static XNODEDOCUMENTORDERCOMPARER: TypeDef = TypeDef {
    name: "XNodeDocumentOrderComparer",
    namespace: NS,
    bases: &["IComparer"],
    members: &[m("Compare", "int")],
    ctor: Some(statics::order_comparer_new),
    ..TypeDef::EMPTY
};

/// `XNodeEqualityComparer`.
pub static XNODEEQUALITYCOMPARER: TypeDef = TypeDef {
    name: "XNodeEqualityComparer",
    namespace: NS,
    bases: &["IEqualityComparer"],
    members: &[m("Equals", "bool"), m("GetHashCode", "int")],
    ctor: Some(statics::equality_comparer_new),
    ..TypeDef::EMPTY
};

/// `System.Xml.Linq.Extensions`: LINQ to XML on sequences of nodes.
pub static EXTENSIONS: TypeDef = TypeDef {
    name: "Extensions",
    namespace: NS,
    kind: TypeKind::Static,
    statics: &[
        m("Ancestors", "IEnumerable<XElement>"),
        m("AncestorsAndSelf", "IEnumerable<XElement>"),
        m("Attributes", "IEnumerable<XAttribute>"),
        m("DescendantNodes", "IEnumerable<XNode>"),
        m("DescendantNodesAndSelf", "IEnumerable<XNode>"),
        m("Descendants", "IEnumerable<XElement>"),
        m("DescendantsAndSelf", "IEnumerable<XElement>"),
        m("Elements", "IEnumerable<XElement>"),
        m("InDocumentOrder", "?"),
        m("Nodes", "IEnumerable<XNode>"),
        m("Remove", "void"),
    ],
    call_static: Some(statics::extensions_call),
    ..TypeDef::EMPTY
};

/// `System.Xml.XmlNodeType`.
pub static XMLNODETYPE: TypeDef = TypeDef {
    name: "XmlNodeType",
    namespace: "System.Xml",
    kind: TypeKind::Enum,
    enum_values: &[
        ("None", 0),
        ("Element", 1),
        ("Attribute", 2),
        ("Text", 3),
        ("CDATA", 4),
        ("EntityReference", 5),
        ("Entity", 6),
        ("ProcessingInstruction", 7),
        ("Comment", 8),
        ("Document", 9),
        ("DocumentType", 10),
        ("DocumentFragment", 11),
        ("Notation", 12),
        ("Whitespace", 13),
        ("SignificantWhitespace", 14),
        ("EndElement", 15),
        ("EndEntity", 16),
        ("XmlDeclaration", 17),
    ],
    ..TypeDef::EMPTY
};

/// `System.Xml.Linq.SaveOptions` (for `ToString(SaveOptions)`).
pub static SAVEOPTIONS: TypeDef = TypeDef {
    name: "SaveOptions",
    namespace: NS,
    kind: TypeKind::Enum,
    apim: Apim::Helper,
    flags: true,
    enum_values: &[("None", 0), ("DisableFormatting", 1), ("OmitDuplicateNamespaces", 2)],
    ..TypeDef::EMPTY
};

/// `System.Xml.Linq.LoadOptions` (for `Parse(text, LoadOptions)`).
pub static LOADOPTIONS: TypeDef = TypeDef {
    name: "LoadOptions",
    namespace: NS,
    kind: TypeKind::Enum,
    apim: Apim::Helper,
    flags: true,
    enum_values: &[
        ("None", 0),
        ("PreserveWhitespace", 1),
        ("SetBaseUri", 2),
        ("SetLineInfo", 4),
    ],
    ..TypeDef::EMPTY
};

/// `XmlNodeType` values of the node kinds.
pub mod node_type {
    pub const ELEMENT: i64 = 1;
    pub const ATTRIBUTE: i64 = 2;
    pub const TEXT: i64 = 3;
    pub const CDATA: i64 = 4;
    pub const PROCESSING_INSTRUCTION: i64 = 7;
    pub const COMMENT: i64 = 8;
    pub const DOCUMENT: i64 = 9;
    pub const DOCUMENT_TYPE: i64 = 10;
}
