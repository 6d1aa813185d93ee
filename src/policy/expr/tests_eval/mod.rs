//! Evaluation of each construct against a [`FakeContext`]: the shared
//! fixture (`cx()`, a context with a value for every member) and helpers
//! here, the tests by area in `constructs`, `context` and `methods`.

use super::testing::FakeContext;
use super::*;

mod constructs;
mod context;
mod methods;

fn cx() -> FakeContext {
    FakeContext::default()
        .text(TextField::RequestMethod, "POST")
        .text(TextField::IpAddress, "10.1.2.3")
        .text(TextField::UrlScheme(UrlKind::Current), "https")
        .text(TextField::UrlHost(UrlKind::Current), "api.example.com")
        .text(TextField::UrlPath(UrlKind::Current), "/orders/42")
        .text(TextField::UrlQueryString(UrlKind::Current), "?a=1&b=x")
        .text(
            TextField::UrlFull(UrlKind::Current),
            "https://api.example.com/orders/42?a=1&b=x",
        )
        .text(TextField::UrlPath(UrlKind::Original), "/v1/orders/42")
        .text(TextField::SubscriptionId, "sub-1")
        .text(TextField::SubscriptionKey, "k3y")
        .text(TextField::SubscriptionName, "Gold")
        .text(TextField::ApiId, "orders")
        .text(TextField::ApiName, "Orders API")
        .text(TextField::ApiPath, "v1")
        .text(TextField::OperationId, "get-order")
        .text(TextField::OperationMethod, "GET")
        .text(TextField::OperationUrlTemplate, "/orders/{id}")
        .text(TextField::ProductId, "gold")
        .text(TextField::ProductName, "Gold Plan")
        .text(TextField::OperationName, "Get order")
        .text(TextField::DeploymentGatewayId, "gw-1")
        .text(TextField::RequestId, "0f8fad5b-d9cb-469f-a165-70867728950e")
        .text(TextField::LastErrorSource, "rate-limit")
        .text(TextField::LastErrorReason, "RateLimitExceeded")
        .text(TextField::LastErrorMessage, "Rate limit is exceeded.")
        .text(TextField::LastErrorSection, "inbound")
        .text(TextField::LastErrorPath, "choose\\when[2]\\rate-limit")
        .header("Content-Type", "application/json")
        .header("Accept", "text/plain")
        .header("Accept", "application/json")
        .header("Authorization", "Bearer abc.def")
        .header("X-Count", "17")
        .response_header("ETag", "\"v1\"")
        .query("a", "1")
        .query("b", "x")
        .matched("id", "42")
        .var("name", Value::string("alice"))
        .var("count", Value::Int(3))
        .var("flag", Value::Bool(true))
        .var("ratio", Value::Double(0.5))
        .var("nothing", Value::Null)
        .without(Ns::User)
}

fn ev_with(c: &FakeContext, src: &str) -> Value<'static> {
    let e = Expr::compile(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    e.eval(c).unwrap_or_else(|e| panic!("{src}: {e}")).into_owned()
}

fn ev(src: &str) -> Value<'static> {
    ev_with(&cx(), src)
}

fn s(src: &str) -> String {
    match ev(src) {
        Value::Str(s) => s.into_owned(),
        v => panic!("{src}: expected a string, got {v:?}"),
    }
}

fn b(src: &str) -> bool {
    match ev(src) {
        Value::Bool(b) => b,
        v => panic!("{src}: expected a bool, got {v:?}"),
    }
}

fn i(src: &str) -> i32 {
    match ev(src) {
        Value::Int(i) => i,
        v => panic!("{src}: expected an int, got {v:?}"),
    }
}

fn fails(src: &str) -> EvalError {
    let e = Expr::compile(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    let c = cx();
    match e.eval(&c) {
        Ok(v) => panic!("{src}: expected a runtime error, got {v:?}"),
        Err(e) => e,
    }
}
