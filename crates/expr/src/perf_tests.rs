//! Timing probes for the bench scenario (ignored: run with
//! `cargo test -p outpost-expr --release perf_ -- --ignored --nocapture`).

use std::borrow::Cow;
use std::time::Instant;

use crate::context::{Context, IntField, Msg, Ns, TextField, UrlKind, Values};
use crate::library::time::{DateTime, TimeSpan};
use crate::{Expr, Value};

struct BodyContext(String);

impl Context for BodyContext {
    fn text(&self, _: TextField) -> Option<Cow<'_, str>> {
        None
    }
    fn int(&self, _: IntField) -> i32 {
        0
    }
    fn present(&self, _: Ns) -> bool {
        true
    }
    fn header(&self, _: Msg, _: &str) -> Option<Values<'_>> {
        None
    }
    fn query(&self, _: UrlKind, _: &str) -> Option<Values<'_>> {
        None
    }
    fn matched_parameter(&self, _: &str) -> Option<Cow<'_, str>> {
        None
    }
    fn variable(&self, _: &str) -> Option<Value<'_>> {
        None
    }
    fn set_variable(&mut self, _: &str, _: Value<'static>) {}
    fn timestamp(&self) -> DateTime {
        DateTime::from_unix_seconds(0)
    }
    fn elapsed(&self) -> TimeSpan {
        TimeSpan::from_millis(0)
    }
    fn body(&self, _: Msg, _: bool) -> Result<Cow<'_, [u8]>, String> {
        Ok(Cow::Borrowed(self.0.as_bytes()))
    }
}

fn order() -> String {
    let items: Vec<String> = (0..14)
        .map(|i| {
            format!(
                r#"{{"sku":"SKU-{i:04}","name":"Item number {i} of the order","price":{},"qty":{},"inStock":{},"tags":["a","b"]}}"#,
                5.5 + 3.0 * f64::from(i),
                1 + i % 3,
                i % 4 != 0
            )
        })
        .collect();
    format!(
        r#"{{"orderId":"6f1c2b7e-1d2a-4c4e-9b7a-2f0e8c9d1a3b","customer":{{"id":42,"name":"Contoso Ltd","email":"orders@contoso.example"}},"items":[{}]}}"#,
        items.join(",")
    )
}

fn time(label: &str, src: &str, cx: &BodyContext) {
    let e = Expr::compile(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    for _ in 0..2000 {
        e.eval(cx).expect("evaluates");
    }
    let n = 20_000;
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(e.eval(cx).expect("evaluates"));
    }
    eprintln!("{label}: {:.2} µs", t.elapsed().as_secs_f64() * 1e6 / f64::from(n));
}

#[test]
#[ignore]
fn perf_bench_policy_phases() {
    let cx = BodyContext(order());
    eprintln!("body: {} bytes", cx.0.len());
    time("parse", "@(context.Request.Body.As<JObject>())", &cx);
    time(
        "parse+write",
        "@(context.Request.Body.As<JObject>().ToString(Newtonsoft.Json.Formatting.None))",
        &cx,
    );
    time(
        "whole",
        r#"@{
            var order = context.Request.Body.As<JObject>();
            var items = order["items"]
                .Where(i => (double)i["price"] > 10 && (bool)i["inStock"])
                .Select(i => new JObject(
                    new JProperty("sku", i["sku"]),
                    new JProperty("total", (double)i["price"] * (int)i["qty"])));
            order["items"] = new JArray(items);
            order["count"] = order["items"].Count();
            return order.ToString(Newtonsoft.Json.Formatting.None);
        }"#,
        &cx,
    );
}
