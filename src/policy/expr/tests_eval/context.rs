//! Evaluation of `context` reads: members of every context object,
//! headers and the other dictionaries, variables, bodies, the client
//! certificate, and a `&mut` context coercing to `&dyn Context`.

use super::*;

#[test]
fn context_members() {
    assert_eq!(s("@(context.Request.Method)"), "POST");
    assert_eq!(s("@(context.Request.IpAddress)"), "10.1.2.3");
    assert_eq!(s("@(context.Request.Url.Path)"), "/orders/42");
    assert_eq!(s("@(context.Request.Url.Host)"), "api.example.com");
    assert_eq!(s("@(context.Request.Url.Scheme)"), "https");
    assert_eq!(i("@(context.Request.Url.Port)"), 443);
    assert_eq!(s("@(context.Request.Url.QueryString)"), "?a=1&b=x");
    assert_eq!(
        s("@(context.Request.Url.ToString())"),
        "https://api.example.com/orders/42?a=1&b=x"
    );
    assert_eq!(s("@(context.Request.OriginalUrl.Path)"), "/v1/orders/42");
    assert_eq!(
        s("@(context.Subscription.Id + context.Subscription.Key + context.Subscription.Name)"),
        "sub-1k3yGold"
    );
    assert_eq!(
        s("@(context.Api.Id + \"|\" + context.Api.Name + \"|\" + context.Api.Path)"),
        "orders|Orders API|v1"
    );
    assert_eq!(
        s("@(context.Operation.Id + context.Operation.Method + context.Operation.UrlTemplate)"),
        "get-orderGET/orders/{id}"
    );
    assert_eq!(s("@(context.Product.Id)"), "gold");
    assert_eq!(
        s("@(context.Product.Name + \"|\" + context.Operation.Name)"),
        "Gold Plan|Get order"
    );
    assert_eq!(
        s("@(context.LastError.Section + \" \" + context.LastError.Path)"),
        "inbound choose\\when[2]\\rate-limit"
    );
    assert_eq!(s("@(context.LastError.PolicyId ?? \"none\")"), "none");
    assert_eq!(s("@(context.Deployment.GatewayId)"), "gw-1");
    assert_eq!(
        s("@(context.RequestId.ToString())"),
        "0f8fad5b-d9cb-469f-a165-70867728950e"
    );
    assert_eq!(
        s("@(context.LastError.Source + \":\" + context.LastError.Reason)"),
        "rate-limit:RateLimitExceeded"
    );
    assert_eq!(ev("@(context.LastError.Scope)"), Value::Null);
    assert_eq!(i("@(context.Response.StatusCode)"), 200);
    assert_eq!(
        s("@(context.Timestamp.ToString(\"o\"))"),
        "2024-02-29T13:05:09.0000000Z"
    );
    assert_eq!(ev("@(context.Elapsed.TotalMilliseconds)"), Value::Double(1500.0));
    assert_eq!(s("@(context.Request.MatchedParameters[\"id\"])"), "42");
}

#[test]
fn headers_and_dictionaries() {
    assert_eq!(
        s(r#"@(context.Request.Headers.GetValueOrDefault("content-type", ""))"#),
        "application/json"
    );
    assert_eq!(
        s(r#"@(context.Request.Headers.GetValueOrDefault("Accept", ""))"#),
        "text/plain,application/json"
    );
    assert_eq!(
        s(r#"@(context.Request.Headers.GetValueOrDefault("X-Missing", "none"))"#),
        "none"
    );
    assert_eq!(
        ev(r#"@(context.Request.Headers.GetValueOrDefault("X-Missing"))"#),
        Value::Null
    );
    assert!(b(r#"@(context.Request.Headers.ContainsKey("authorization"))"#));
    assert!(!b(r#"@(context.Request.Headers.ContainsKey("X-Nope"))"#));
    assert_eq!(s(r#"@(context.Request.Headers["Accept"].First())"#), "text/plain");
    assert_eq!(s(r#"@(context.Request.Headers["Accept"].Last())"#), "application/json");
    assert_eq!(i(r#"@(context.Request.Headers["Accept"].Length)"#), 2);
    assert_eq!(
        s(r#"@(context.Request.Headers["Authorization"].First().Split(' ')[1])"#),
        "abc.def"
    );
    assert_eq!(
        s(r#"@(context.Response.Headers.GetValueOrDefault("etag", ""))"#),
        "\"v1\""
    );
    assert_eq!(s(r#"@(context.Request.Url.Query.GetValueOrDefault("b", ""))"#), "x");
    assert!(b(r#"@(context.Request.Url.Query.ContainsKey("a"))"#));
    assert_eq!(
        s(r#"@(context.Request.MatchedParameters.GetValueOrDefault("id", "0"))"#),
        "42"
    );
}

#[test]
fn variables_and_casts() {
    assert_eq!(s(r#"@((string)context.Variables["name"])"#), "alice");
    assert_eq!(i(r#"@((int)context.Variables["count"] + 1)"#), 4);
    assert!(b(r#"@((bool)context.Variables["flag"])"#));
    assert_eq!(s(r#"@(context.Variables.GetValueOrDefault<string>("name"))"#), "alice");
    assert_eq!(i(r#"@(context.Variables.GetValueOrDefault<int>("missing"))"#), 0);
    assert_eq!(i(r#"@(context.Variables.GetValueOrDefault<int>("missing", 9))"#), 9);
    assert_eq!(
        s(r#"@(context.Variables.GetValueOrDefault("missing", "dflt"))"#),
        "dflt"
    );
    assert_eq!(s(r#"@(context.Variables.GetValueOrDefault("name", "dflt"))"#), "alice");
    assert_eq!(ev(r#"@(context.Variables.GetValueOrDefault("count"))"#), Value::Int(3));
    assert!(b(r#"@(context.Variables.ContainsKey("flag"))"#));
    assert_eq!(ev(r#"@(context.Variables["name"] as string)"#), Value::string("alice"));
    assert_eq!(ev(r#"@(context.Variables["count"] as string)"#), Value::Null);
    assert_eq!(ev(r#"@((string)context.Variables["nothing"])"#), Value::Null);
    assert_eq!(i("@((int)3.9)"), 3);
    assert_eq!(i("@((int)-3.9)"), -3);
    assert_eq!(ev("@((double)3)"), Value::Double(3.0));
    assert_eq!(i("@((int)'A')"), 65);
    // object == string compares values (see docs/expressions.md).
    assert!(b(r#"@(context.Variables["name"] == "alice")"#));
}

#[test]
fn body_and_variables_from_context() {
    let mut c = cx();
    c.body = Some("{\"a\":1}".into());
    assert_eq!(
        ev_with(&c, "@(context.Request.Body.As<string>(preserveContent: true))"),
        Value::string("{\"a\":1}")
    );
    c.set_variable("later", Value::Int(5));
    assert_eq!(ev_with(&c, "@((int)context.Variables[\"later\"] * 2)"), Value::Int(10));
}

#[test]
fn a_mutable_context_coerces() {
    let mut c = cx();
    let e = Expr::compile("@(context.Api.Id)").unwrap();
    let m: &mut dyn Context = &mut c;
    assert_eq!(e.eval_string(m).unwrap(), "orders");
    m.set_variable("x", Value::Int(1));
    assert!(Expr::compile("@(context.Variables.ContainsKey(\"x\"))")
        .unwrap()
        .eval_bool(m)
        .unwrap());
}

#[test]
fn client_certificate_members() {
    let c = cx()
        .text(TextField::CertSubject, "CN=client, O=Example")
        .text(TextField::CertIssuer, "CN=Example CA")
        .text(TextField::CertThumbprint, "5E7FC1A1F7AD302EDFBFB0B87C5AF2A299B72858")
        .text(TextField::CertSerialNumber, "0A1B");
    let t = |src: &str| match ev_with(&c, src) {
        Value::Str(s) => s.into_owned(),
        v => panic!("{src}: {v:?}"),
    };
    assert_eq!(t("@(context.Request.Certificate.Subject)"), "CN=client, O=Example");
    assert_eq!(
        t("@(context.Request.Certificate.SubjectName.Name)"),
        "CN=client, O=Example"
    );
    assert_eq!(t("@(context.Request.Certificate.IssuerName.Name)"), "CN=Example CA");
    assert_eq!(
        t("@(context.Request.Certificate?.Thumbprint ?? \"none\")"),
        "5E7FC1A1F7AD302EDFBFB0B87C5AF2A299B72858"
    );
    assert_eq!(t("@(context.Request.Certificate.SerialNumber.ToLower())"), "0a1b");
    assert_eq!(
        ev_with(
            &c,
            "@(context.Request.Certificate.Verify() && context.Request.Certificate.VerifyNoRevocation())"
        ),
        Value::Bool(true)
    );
    assert_eq!(
        ev_with(
            &c,
            "@(context.Request.Certificate.NotAfter > context.Request.Certificate.NotBefore)"
        ),
        Value::Bool(true)
    );
    assert_eq!(ev_with(&c, "@(context.Request.Certificate.Version)"), Value::Int(3));
    // Absent: null, and `?.` is safe.
    let none = cx().without(Ns::Certificate);
    assert_eq!(
        ev_with(&none, "@(context.Request.Certificate == null)"),
        Value::Bool(true)
    );
    assert_eq!(
        ev_with(&none, "@(context.Request.Certificate?.Subject ?? \"none\")"),
        Value::string("none")
    );
    let e = Expr::compile("@(context.Request.Certificate.Subject)").unwrap();
    assert_eq!(e.eval(&none).unwrap_err().kind, EvalErrorKind::NullReference);
}
