//! Microsoft's documented policy expressions (the policy-expressions page,
//! its idioms as listed in the APIM reference §1 and §4, and the policy
//! reference pages' samples): every one must delimit and parse.

use crate::syntax::{delimit, parse_block, parse_expr};

/// Single expressions (`@( … )` bodies).
const EXPRESSIONS: &[&str] = &[
    // §1
    r#"true"#,
    r#""Hi There".Length"#,
    r#"(1+1).ToString()"#,
    r#"context.Response.StatusCode == 200 && context.Product.Name.Equals("Starter")"#,
    r#"context.Request.Body.As<JObject>(preserveContent: true)"#,
    r#"context.Request.Url.ToString().Replace("https","http")"#,
    r#"DateTime.Now.ToString()"#,
    r#""true".Equals("{{flag}}")"#,
    // §4
    r#"context.Request.Headers.GetValueOrDefault("User-Agent","").Contains("iPhone")"#,
    r#"context.Request.Headers.GetValueOrDefault("Authorization","scheme param").Split(' ').Last()"#,
    r#"context.Request.Headers.GetValueOrDefault("X-Env","").Equals("x", StringComparison.OrdinalIgnoreCase)"#,
    r#"context.Request.Headers.GetValueOrDefault("Authorization","").AsJwt()?.Subject"#,
    r#"context.Request.Headers.GetValueOrDefault("Authorization","").Split(' ')[1].AsJwt()?.Claims["name"].FirstOrDefault()"#,
    r#"context.Request.Headers.GetValueOrDefault("Authorization","").AsJwt()?.Claims.GetValueOrDefault("name","")"#,
    r#"(string)body["x"]"#,
    r#"(string)body.SelectToken("a.b")"#,
    r#"body["a"][0]["b"].Value<int>()"#,
    r#"body["a"].ToObject<string>()"#,
    r#"new JObject(new JProperty("a", x), new JProperty("b", y)).ToString()"#,
    r#"JsonConvert.SerializeObject(obj)"#,
    r#"context.Variables.GetValueOrDefault<bool>("isMobile")"#,
    r#"(string)context.Variables["token"]"#,
    r#"(JObject)context.Variables["body"]"#,
    r#"context.Variables.ContainsKey("maxAge") ? int.Parse((string)context.Variables["maxAge"]) : 3600"#,
    r#"(bool)((IResponse)context.Variables["tokenstate"]).Body.As<JObject>()["active"] == false"#,
    r#"((IResponse)context.Variables["r"]).StatusCode != 200"#,
    r#"$"token={(string)context.Variables["token"]}""#,
    r#"string.Format("{0} {1}", context.Request.Method, context.Request.Url.Path + context.Request.Url.QueryString)"#,
    r#"String.Join(", ", h.Value)"#,
    r#"Encoding.UTF8.GetString(Convert.FromBase64String(v))"#,
    r#"Guid.NewGuid()"#,
    r#"DateTime.UtcNow"#,
    r#"context.Request.Headers.Where(h => h.Key != "Authorization").Select(h => string.Format("{0}: {1}", h.Key, String.Join(", ", h.Value))).ToArray<string>()"#,
    r#"headers.Any()"#,
    r#"context.Deployment.Certificates.Any(c => c.Value.Thumbprint == context.Request.Certificate.Thumbprint)"#,
    r#"context.Request.IpAddress"#,
    r#"context.Subscription?.Key ?? "anonymous""#,
    r#"context.Response.StatusCode >= 500"#,
    r#"context.Product.Name.Equals("Starter")"#,
    r#"context.Request.Url.Query.GetValueOrDefault("p","")"#,
    r#"context.Request.MatchedParameters["id"]"#,
    r#"context.LastError.Message"#,
    r#"Regex.Match(s, @"max-age=(?<maxAge>\d+)").Groups["maxAge"]?.Value"#,
    // The policy-expressions page's table of examples.
    r#"Regex.Match(context.Response.Headers.GetValueOrDefault("Cache-Control",""), @"max-age=(?<maxAge>\d+)").Groups["maxAge"]?.Value"#,
    r#"context.Request.Headers.GetValueOrDefault("Authorization","scheme param").Split(' ').Last()"#,
    r#"context.User.Email"#,
    r#"context.Request.Url.Query.GetValueOrDefault("version", "2.0")"#,
    r#"context.Request.OriginalUrl.Query.GetValueOrDefault("sub-key") ?? "none""#,
    r#"new Newtonsoft.Json.Linq.JArray()"#,
    r#"context.Request.Body.As<JObject>(true)["name"].ToString()"#,
    r#"(context.Request.Headers.GetValueOrDefault("Accept","") == "application/xml" ? "xml" : "json")"#,
    r#"(string)context.Request.Body.As<JObject>(preserveContent: true).SelectToken("$.customer.id")"#,
    r#"context.Request.Body.As<XElement>(preserveContent: true).Descendants("item").Count()"#,
    r#"context.Elapsed.TotalMilliseconds > 1000"#,
    r#"context.Request.Certificate == null || !context.Request.Certificate.Verify()"#,
    r#"context.Request.Certificate.NotAfter < DateTime.Now"#,
    r#"context.Request.Certificate.Issuer != "trusted-issuer""#,
    r#"!context.Deployment.Certificates.Any(c => c.Value.Thumbprint == context.Request.Certificate.Thumbprint)"#,
    r#"context.Request.Url.Path.Contains("/api/")"#,
    r#"Convert.ToBase64String(Encoding.UTF8.GetBytes("user:pass"))"#,
    r#""Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(context.Variables.GetValueOrDefault<string>("u") + ":" + context.Variables.GetValueOrDefault<string>("p")))"#,
    r#"context.Request.Headers.GetValueOrDefault("Authorization","").AsBasic()?.UserId"#,
    r#"((JObject)context.Variables["body"]).Property("x")?.Value.ToString()"#,
    r#"(string)((JObject)context.Variables["config"])["endpoint"]"#,
    r#"new Uri(context.Api.ServiceUrl.ToString()).Host"#,
    r#"context.Deployment.Region"#,
    r#"$"{context.Api.Name}-{context.Operation.Id}""#,
    r#"context.Request.Url.Scheme + "://" + context.Request.Url.Host + ":" + context.Request.Url.Port"#,
    // Shapes seen in published community policies.
    r#"context.Request.Headers.GetValueOrDefault("Ocp-Apim-Subscription-Key", "").Substring(0, 8)"#,
    r#"(int)context.Response.StatusCode >= 400"#,
    r#"String.Format("{0:yyyy-MM-ddTHH:mm:ss.fffZ}", DateTime.UtcNow)"#,
    r#"DateTime.UtcNow.ToString("o")"#,
    r#"((IResponse)context.Variables["resp"]).Body.As<JArray>().Select(t => (string)t["id"]).ToList()"#,
    r#"context.Request.Body.As<JObject>(true).SelectTokens("$..id").Select(t => t.ToString()).Aggregate((a, b) => a + "," + b)"#,
    r#"context.Request.Headers.ContainsKey("X-Forwarded-For") ? context.Request.Headers["X-Forwarded-For"][0].Split(',')[0].Trim() : context.Request.IpAddress"#,
    r#"string.Join("&", context.Request.Url.Query.Select(q => $"{q.Key}={string.Join(",", q.Value)}"))"#,
    r#"context.Request.Body?.As<JObject>(true)?["items"]?.Count() ?? 0"#,
    r#"context.Variables.GetValueOrDefault<int>("retry", 0) < 3"#,
    r#"$"{context.Request.Method,-7}|{context.Response.StatusCode:D3}|{context.Elapsed.TotalMilliseconds:F1}""#,
    r#"new Random(context.RequestId.GetHashCode()).Next(0, 100) < 10"#,
    r#"BitConverter.ToString(new SHA256Managed().ComputeHash(Encoding.UTF8.GetBytes(s))).Replace("-", "").ToLowerInvariant()"#,
];

/// Statement blocks (`@{ … }` bodies).
const BLOCKS: &[&str] = &[
    r#"
    string value;
    if (context.Request.Headers.TryGetValue("Authorization", out value))
    {
        if(value.Contains("Bearer"))
        {
            return true;
        }
    }
    return false;
    "#,
    r#"
    string[] value;
    if (context.Request.Headers.TryGetValue("Authorization", out value))
    {
        if(value != null && value.Length > 0)
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(value[0]));
        }
    }
    return null;
    "#,
    r#"
    var response = context.Response.Body.As<JObject>();
    foreach (var key in new [] {"minutely", "hourly", "daily", "flags"}) {
        response.Property (key).Remove ();
    }
    return response.ToString();
    "#,
    r#"
    var authHeader = context.Request.Headers.GetValueOrDefault("Authorization", "");
    return authHeader.AsJwt()?.Claims.GetValueOrDefault("name", "");
    "#,
    r#"
    var r = context.Response.Body.As<JObject>();
    r.Property("k").Remove();
    r.Add(new JProperty("k","v"));
    return r.ToString();
    "#,
    r#"
    var guidBinary = new byte[16];
    Array.Copy(Guid.NewGuid().ToByteArray(), 0, guidBinary, 0, 10);
    long time = DateTime.Now.Ticks;
    byte[] bytes = new byte[6];
    unchecked
    {
        bytes[5] = (byte)(time >> 40);
        bytes[4] = (byte)(time >> 32);
        bytes[3] = (byte)(time >> 24);
        bytes[2] = (byte)(time >> 16);
        bytes[1] = (byte)(time >> 8);
        bytes[0] = (byte)(time);
    }
    Array.Copy(bytes, 0, guidBinary, 10, 6);
    return new Guid(guidBinary).ToString();
    "#,
    r#"
    var headers = context.Request.Headers.Where(h => h.Key != "Authorization").Select(h => string.Format("{0}: {1}", h.Key, String.Join(", ", h.Value))).ToArray<string>();
    if (headers.Any()) { return String.Join("\r\n", headers); }
    return "";
    "#,
    r#"
    var body = context.Request.Body.As<JObject>(preserveContent: true);
    var transformed = new JObject();
    foreach (var prop in body.Properties()) {
        transformed[prop.Name.ToLowerInvariant()] = prop.Value;
    }
    return transformed.ToString(Newtonsoft.Json.Formatting.None);
    "#,
    r#"
    try {
        var token = context.Request.Headers.GetValueOrDefault("Authorization", "").Split(' ')[1];
        return token.AsJwt()?.Claims["roles"].Contains("admin") ?? false;
    } catch {
        return false;
    }
    "#,
    r#"
    JObject inBody = context.Request.Body.As<JObject>();
    string xml = "<root>";
    foreach (JProperty p in inBody.Properties()) {
        xml += $"<{p.Name}>{(string)p.Value}</{p.Name}>";
    }
    return xml + "</root>";
    "#,
    r#"
    var hmac = new HMACSHA256(Encoding.UTF8.GetBytes("{{secret}}"));
    var hash = hmac.ComputeHash(Encoding.UTF8.GetBytes(context.Request.Body.As<string>(preserveContent: true)));
    return Convert.ToBase64String(hash);
    "#,
    r#"
    int n;
    if (!int.TryParse(context.Request.Url.Query.GetValueOrDefault("n", "0"), out n)) { n = 0; }
    switch (context.Request.Method) {
        case "GET": return n;
        case "POST":
        case "PUT": return n * 2;
        default: return -1;
    }
    "#,
    r#"
    var list = new List<string>();
    for (var i = 0; i < 3; i++) { list.Add(i.ToString()); }
    var d = new Dictionary<string, string> { { "a", "1" } };
    string v;
    return d.TryGetValue("a", out v) ? v : string.Join(",", list);
    "#,
    r#"
    var requestBody = context.Request.Body?.As<JObject>(true);
    string[] roles = ((Jwt)context.Variables["jwt"]).Claims.GetValueOrDefault("roles", new string[0]);
    return roles.Any(r => r == "admin") && requestBody != null;
    "#,
    r#"
    var sb = new System.Text.StringBuilder();
    int i = 0;
    while (i < 10) {
        if (i % 2 == 0) { i++; continue; }
        sb.AppendFormat("{0},", i++);
        if (sb.Length > 100) break;
    }
    do { sb.Length--; } while (sb.Length > 0 && sb[sb.Length - 1] == ',');
    return sb.ToString();
    "#,
    r#"
    var arr = new JArray();
    foreach (var item in ((JArray)context.Variables["items"]).Where(t => (int?)t["qty"] > 0)) {
        arr.Add(new JObject { ["id"] = item["id"], ["total"] = (decimal)item["qty"] * 1.5m });
    }
    return JsonConvert.SerializeObject(new { count = arr.Count, items = arr });
    "#,
    r#"
    ulong h = 14695981039346656037UL;
    foreach (char c in context.Request.Url.Path) { h ^= c; h *= 1099511628211UL; }
    return (h & 0xFFFF).ToString("X4");
    "#,
];

fn wrap(open: &str, body: &str, close: &str) -> String {
    format!("{open}{body}{close}")
}

#[test]
fn documented_expressions_parse() {
    for src in EXPRESSIONS {
        let text = wrap("@(", src, ")");
        let (a, b, block) = delimit(&text).unwrap_or_else(|e| panic!("{src}: {}", e.message));
        assert!(!block);
        parse_expr(&text, a, b).unwrap_or_else(|e| panic!("{src}: {} at {}", e.message, e.offset));
    }
}

#[test]
fn documented_blocks_parse() {
    for src in BLOCKS {
        let text = wrap("\n  @{", src, "}\n");
        let (a, b, block) = delimit(&text).unwrap_or_else(|e| panic!("{src}: {}", e.message));
        assert!(block);
        let stmts = parse_block(&text, a, b).unwrap_or_else(|e| panic!("{src}: {} at {}", e.message, e.offset));
        assert!(!stmts.is_empty());
    }
}
