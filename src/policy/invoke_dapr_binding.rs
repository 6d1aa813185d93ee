//! `invoke-dapr-binding`: trigger a Dapr output binding through the
//! sidecar (`POST {policy.dapr.url}/v1.0/bindings/{name}`).
//!
//! ```xml
//! <invoke-dapr-binding name="orders-queue" operation="create" response-variable-name="r">
//!   <metadata>
//!     <item key="source">APIM</item>
//!   </metadata>
//!   <data>@(context.Request.Body.As<string>())</data>
//! </invoke-dapr-binding>
//! ```
//! The sidecar gets Dapr's JSON request: `{"data": …, "metadata": {…},
//! "operation": "…"}`; `data` is embedded as JSON when the text is JSON,
//! else as a JSON string. Answers and failures: see `policy::dapr`.

use super::compile::{children, CompileError, Compiler, Element, Section};
use super::dapr::{self, Common};
use super::effect::{Effect, Outcome};
use super::exec::Run;
use super::expr::Want;
use super::failure::Failure;
use super::text::Text;

#[derive(Clone, Debug)]
pub struct InvokeDaprBinding {
    pub common: Common,
    pub name: Text,
    pub operation: Option<Box<str>>,
    pub metadata: Vec<(Box<str>, Text)>,
    pub data: Option<Text>,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<InvokeDaprBinding, CompileError> {
    c.only_in(el, &[Section::Inbound, Section::Outbound, Section::OnError])?;
    let name = c
        .text_attr(el, "name", Want::String)?
        .ok_or_else(|| c.error(el, "missing attribute `name`"))?;
    let mut metadata = Vec::new();
    let mut data = None;
    for child in children(el) {
        match child.name.as_str() {
            "metadata" => {
                for item in children(child) {
                    if item.name != "item" {
                        return Err(c.error(item, "only <item key=\"…\"> may appear in <metadata>"));
                    }
                    let key = c.required(item, "key")?;
                    metadata.push((key.into(), c.content(item, Want::String)?));
                }
            }
            "data" if data.is_none() => data = Some(c.content(child, Want::String)?),
            "data" => return Err(c.error(child, "<data> may appear only once")),
            _ => return Err(c.error(child, "only <metadata> and <data> may appear in <invoke-dapr-binding>")),
        }
    }
    Ok(InvokeDaprBinding {
        common: dapr::common(c, el)?,
        name,
        operation: c.attr(el, "operation").map(|o| o.trim().into()),
        metadata,
        data,
    })
}

impl InvokeDaprBinding {
    pub fn needs_request_body(&self) -> bool {
        self.data.as_ref().is_some_and(Text::reads_body) || self.metadata.iter().any(|(_, v)| v.reads_body())
    }

    pub fn start<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<Effect, Failure> {
        const SRC: &str = "invoke-dapr-binding";
        let name = r.eval(&self.name, SRC)?;
        let mut body = serde_json::Map::new();
        if let Some(d) = &self.data {
            let text = r.eval(d, SRC)?;
            let value = serde_json::from_str::<serde_json::Value>(&text)
                .unwrap_or_else(|_| serde_json::Value::String(text.into_owned()));
            body.insert("data".into(), value);
        }
        if !self.metadata.is_empty() {
            let mut m = serde_json::Map::new();
            for (k, v) in &self.metadata {
                m.insert(k.to_string(), serde_json::Value::String(r.eval(v, SRC)?.into_owned()));
            }
            body.insert("metadata".into(), serde_json::Value::Object(m));
        }
        if let Some(op) = &self.operation {
            body.insert("operation".into(), serde_json::Value::String(op.to_string()));
        }
        let body = serde_json::Value::Object(body).to_string().into_bytes();
        let path = format!("/v1.0/bindings/{}", dapr::segment(name.trim()));
        let content_type = self.common.content_type.unwrap_or("application/json");
        let call = self.common.post(r, SRC, path, Some(content_type), body)?;
        Ok(Effect::Http(Box::new(call)))
    }

    pub fn finish<'p>(&'p self, r: &mut Run<'_, 'p>, outcome: Outcome) -> Result<(), Failure> {
        self.common.finish(r, "invoke-dapr-binding", outcome)
    }
}
