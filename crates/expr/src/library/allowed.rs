//! APIM's allow-list of .NET types (reference §2, the 2026 revision): what
//! the checker consults for a type name that no family implements, so it
//! can say "allowed by APIM, not implemented by Outpost yet" apart from
//! "not allowed by APIM".

use crate::types::Apim;

/// The members APIM allows of `System.DateTime` (its only `Only` list the
/// time family's `TypeDef` also needs).
pub const DATETIME_MEMBERS: &[&str] = &[
    ".ctor",
    "Add",
    "AddDays",
    "AddHours",
    "AddMilliseconds",
    "AddMinutes",
    "AddMonths",
    "AddSeconds",
    "AddTicks",
    "AddYears",
    "Date",
    "Day",
    "DayOfWeek",
    "DayOfYear",
    "DaysInMonth",
    "Hour",
    "IsDaylightSavingTime",
    "IsLeapYear",
    "MaxValue",
    "Millisecond",
    "Minute",
    "MinValue",
    "Month",
    "Now",
    "Parse",
    "Second",
    "Subtract",
    "Ticks",
    "TimeOfDay",
    "Today",
    "ToString",
    "UtcNow",
    "Year",
];

/// (namespace, type name without generic arity, what APIM allows).
pub const ALLOWED: &[(&str, &str, Apim)] = &[
    ("Newtonsoft.Json", "Formatting", Apim::All),
    (
        "Newtonsoft.Json",
        "JsonConvert",
        Apim::Only(&["SerializeObject", "DeserializeObject"]),
    ),
    ("Newtonsoft.Json.Linq", "Extensions", Apim::All),
    ("Newtonsoft.Json.Linq", "JArray", Apim::All),
    ("Newtonsoft.Json.Linq", "JConstructor", Apim::All),
    ("Newtonsoft.Json.Linq", "JContainer", Apim::All),
    ("Newtonsoft.Json.Linq", "JObject", Apim::All),
    ("Newtonsoft.Json.Linq", "JProperty", Apim::All),
    ("Newtonsoft.Json.Linq", "JRaw", Apim::All),
    ("Newtonsoft.Json.Linq", "JToken", Apim::All),
    ("Newtonsoft.Json.Linq", "JTokenType", Apim::All),
    ("Newtonsoft.Json.Linq", "JValue", Apim::All),
    ("System", "Array", Apim::All),
    ("System", "BitConverter", Apim::All),
    ("System", "Boolean", Apim::All),
    ("System", "Byte", Apim::All),
    ("System", "Char", Apim::All),
    ("System", "Convert", Apim::All),
    ("System", "DateTime", Apim::Only(DATETIME_MEMBERS)),
    ("System", "DateTimeKind", Apim::Only(&["Utc"])),
    ("System", "DateTimeOffset", Apim::All),
    ("System", "Decimal", Apim::All),
    ("System", "Double", Apim::All),
    ("System", "Enum", Apim::Only(&["Parse", "TryParse", "ToString"])),
    ("System", "Exception", Apim::All),
    ("System", "Guid", Apim::All),
    ("System", "Int16", Apim::All),
    ("System", "Int32", Apim::All),
    ("System", "Int64", Apim::All),
    ("System", "Math", Apim::All),
    ("System", "MidpointRounding", Apim::All),
    ("System", "Nullable", Apim::All),
    ("System", "Random", Apim::All),
    ("System", "SByte", Apim::All),
    ("System", "Single", Apim::All),
    ("System", "String", Apim::All),
    ("System", "StringComparer", Apim::All),
    ("System", "StringComparison", Apim::All),
    ("System", "StringSplitOptions", Apim::All),
    ("System", "TimeSpan", Apim::All),
    ("System", "TimeZone", Apim::All),
    ("System", "TimeZoneInfo", Apim::All),
    ("System", "TimeZoneInfo.AdjustmentRule", Apim::All),
    ("System", "TimeZoneInfo.TransitionTime", Apim::All),
    ("System", "Tuple", Apim::All),
    ("System", "UInt16", Apim::All),
    ("System", "UInt32", Apim::All),
    ("System", "UInt64", Apim::All),
    ("System", "Uri", Apim::All),
    ("System", "UriPartial", Apim::All),
    ("System.Collections.Generic", "Dictionary", Apim::All),
    ("System.Collections.Generic", "HashSet", Apim::All),
    ("System.Collections.Generic", "ICollection", Apim::All),
    ("System.Collections.Generic", "IDictionary", Apim::All),
    ("System.Collections.Generic", "IEnumerable", Apim::All),
    ("System.Collections.Generic", "IEnumerator", Apim::All),
    ("System.Collections.Generic", "IList", Apim::All),
    ("System.Collections.Generic", "IReadOnlyCollection", Apim::All),
    ("System.Collections.Generic", "IReadOnlyDictionary", Apim::All),
    ("System.Collections.Generic", "ISet", Apim::All),
    ("System.Collections.Generic", "KeyValuePair", Apim::All),
    ("System.Collections.Generic", "List", Apim::All),
    ("System.Collections.Generic", "Queue", Apim::All),
    ("System.Collections.Generic", "Stack", Apim::All),
    ("System.IO", "StringReader", Apim::All),
    ("System.IO", "StringWriter", Apim::All),
    ("System.Linq", "Enumerable", Apim::All),
    (
        "System.Net",
        "IPAddress",
        Apim::Only(&[
            "AddressFamily",
            "Equals",
            "GetAddressBytes",
            "IsLoopback",
            "Parse",
            "TryParse",
            "ToString",
        ]),
    ),
    ("System.Net", "WebUtility", Apim::All),
    ("System.Security.Cryptography", "AsymmetricAlgorithm", Apim::All),
    ("System.Security.Cryptography", "CipherMode", Apim::All),
    ("System.Security.Cryptography", "HashAlgorithm", Apim::All),
    ("System.Security.Cryptography", "HashAlgorithmName", Apim::All),
    ("System.Security.Cryptography", "HMAC", Apim::All),
    ("System.Security.Cryptography", "HMACMD5", Apim::All),
    ("System.Security.Cryptography", "HMACSHA1", Apim::All),
    ("System.Security.Cryptography", "HMACSHA256", Apim::All),
    ("System.Security.Cryptography", "HMACSHA384", Apim::All),
    ("System.Security.Cryptography", "HMACSHA512", Apim::All),
    ("System.Security.Cryptography", "KeyedHashAlgorithm", Apim::All),
    ("System.Security.Cryptography", "MD5", Apim::All),
    ("System.Security.Cryptography", "Oid", Apim::All),
    ("System.Security.Cryptography", "PaddingMode", Apim::All),
    ("System.Security.Cryptography", "RNGCryptoServiceProvider", Apim::All),
    ("System.Security.Cryptography", "RSA", Apim::All),
    ("System.Security.Cryptography", "RSAEncryptionPadding", Apim::All),
    ("System.Security.Cryptography", "RSASignaturePadding", Apim::All),
    ("System.Security.Cryptography", "SHA1", Apim::All),
    ("System.Security.Cryptography", "SHA1Managed", Apim::All),
    ("System.Security.Cryptography", "SHA256", Apim::All),
    ("System.Security.Cryptography", "SHA256Managed", Apim::All),
    ("System.Security.Cryptography", "SHA384", Apim::All),
    ("System.Security.Cryptography", "SHA384Managed", Apim::All),
    ("System.Security.Cryptography", "SHA512", Apim::All),
    ("System.Security.Cryptography", "SHA512Managed", Apim::All),
    (
        "System.Security.Cryptography",
        "SymmetricAlgorithm",
        Apim::Except(&["Create()"]),
    ),
    ("System.Security.Cryptography.X509Certificates", "PublicKey", Apim::All),
    (
        "System.Security.Cryptography.X509Certificates",
        "RSACertificateExtensions",
        Apim::All,
    ),
    (
        "System.Security.Cryptography.X509Certificates",
        "X509Certificate",
        Apim::All,
    ),
    (
        "System.Security.Cryptography.X509Certificates",
        "X509Certificate2",
        Apim::All,
    ),
    (
        "System.Security.Cryptography.X509Certificates",
        "X509ContentType",
        Apim::All,
    ),
    (
        "System.Security.Cryptography.X509Certificates",
        "X509NameType",
        Apim::All,
    ),
    (
        "System.Security.Cryptography.X509Certificates",
        "X500DistinguishedName",
        Apim::Only(&["Name"]),
    ),
    ("System.Text", "Encoding", Apim::All),
    ("System.Text", "StringBuilder", Apim::All),
    (
        "System.Text.RegularExpressions",
        "Capture",
        Apim::Only(&["Index", "Length", "Value"]),
    ),
    (
        "System.Text.RegularExpressions",
        "CaptureCollection",
        Apim::Only(&["Count", "Item"]),
    ),
    (
        "System.Text.RegularExpressions",
        "Group",
        Apim::Only(&["Captures", "Success"]),
    ),
    (
        "System.Text.RegularExpressions",
        "GroupCollection",
        Apim::Only(&["Count", "Item"]),
    ),
    (
        "System.Text.RegularExpressions",
        "Match",
        Apim::Only(&["Empty", "Groups", "Result"]),
    ),
    (
        "System.Text.RegularExpressions",
        "Regex",
        Apim::Only(&[".ctor", "IsMatch", "Match", "Matches", "Replace", "Unescape", "Split"]),
    ),
    ("System.Text.RegularExpressions", "RegexOptions", Apim::All),
    ("System.Xml.Linq", "Extensions", Apim::All),
    ("System.Xml.Linq", "XAttribute", Apim::All),
    ("System.Xml.Linq", "XCData", Apim::All),
    ("System.Xml.Linq", "XComment", Apim::All),
    ("System.Xml.Linq", "XContainer", Apim::All),
    ("System.Xml.Linq", "XDeclaration", Apim::All),
    ("System.Xml.Linq", "XDocument", Apim::Except(&["Load"])),
    ("System.Xml.Linq", "XDocumentType", Apim::All),
    ("System.Xml.Linq", "XElement", Apim::All),
    ("System.Xml.Linq", "XName", Apim::All),
    ("System.Xml.Linq", "XNamespace", Apim::All),
    ("System.Xml.Linq", "XNode", Apim::All),
    ("System.Xml.Linq", "XNodeDocumentOrderComparer", Apim::All),
    ("System.Xml.Linq", "XNodeEqualityComparer", Apim::All),
    ("System.Xml.Linq", "XObject", Apim::All),
    ("System.Xml.Linq", "XProcessingInstruction", Apim::All),
    ("System.Xml.Linq", "XText", Apim::All),
    ("System.Xml", "XmlNodeType", Apim::All),
];

/// What APIM allows of the type named `name` (short, or qualified with its
/// namespace), or `None` if APIM does not allow it.
pub fn apim_allows(name: &str) -> Option<(&'static str, &'static str, Apim)> {
    ALLOWED
        .iter()
        .find(|(ns, n, _)| {
            *n == name
                || (name.len() == ns.len() + 1 + n.len()
                    && name.starts_with(ns)
                    && name.ends_with(n)
                    && name.as_bytes()[ns.len()] == b'.')
        })
        .copied()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_table_has_130_types() {
        assert_eq!(super::ALLOWED.len(), 130);
        assert!(super::apim_allows("System.Text.StringBuilder").is_some());
        assert!(super::apim_allows("JObject").is_some());
        assert!(super::apim_allows("File").is_none());
        assert!(super::apim_allows("System.IO.File").is_none());
    }
}
