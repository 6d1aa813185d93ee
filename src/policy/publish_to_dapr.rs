//! `publish-to-dapr`: publish a message to a Dapr pub/sub topic through
//! the sidecar (`POST {policy.dapr.url}/v1.0/publish/{pubsub}/{topic}`).
//!
//! ```xml
//! <publish-to-dapr pubsub-name="orders" topic="new" response-variable-name="dapr-response"
//!                  timeout="5" ignore-error="false" content-type="application/json">
//!   @(context.Request.Body.As<string>())
//! </publish-to-dapr>
//! ```
//! Without `pubsub-name`, `topic` is `pubsub-name/topic-name`. The
//! element's text (literal or expression) is the message. Answers and
//! failures: see `policy::dapr`.

use super::compile::{CompileError, Compiler, Element, Section};
use super::dapr::{self, Common};
use super::effect::{Effect, Outcome};
use super::exec::Run;
use super::expr::Want;
use super::failure::Failure;
use super::text::Text;

#[derive(Clone, Debug)]
pub struct PublishToDapr {
    pub common: Common,
    pub pubsub: Option<Text>,
    pub topic: Text,
    pub message: Text,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<PublishToDapr, CompileError> {
    c.only_in(el, &[Section::Inbound, Section::Outbound, Section::OnError])?;
    let topic = c
        .text_attr(el, "topic", Want::String)?
        .ok_or_else(|| c.error(el, "missing attribute `topic`"))?;
    let pubsub = c.text_attr(el, "pubsub-name", Want::String)?;
    if let (None, Some(t)) = (&pubsub, topic.literal()) {
        if !t.trim().trim_matches('/').contains('/') {
            return Err(c.error(
                el,
                "without `pubsub-name`, `topic` must be written pubsub-name/topic-name",
            ));
        }
    }
    Ok(PublishToDapr {
        common: dapr::common(c, el)?,
        pubsub,
        topic,
        message: c.content(el, Want::String)?,
    })
}

impl PublishToDapr {
    pub fn needs_request_body(&self) -> bool {
        self.message.reads_body()
    }

    pub fn start<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<Effect, Failure> {
        const SRC: &str = "publish-to-dapr";
        let topic = r.eval(&self.topic, SRC)?;
        let (pubsub, topic) = match &self.pubsub {
            Some(p) => (r.eval(p, SRC)?.trim().to_owned(), topic.trim().to_owned()),
            None => match topic.trim().trim_matches('/').split_once('/') {
                Some((p, t)) => (p.to_owned(), t.to_owned()),
                None => {
                    return Err(Failure::expression(
                        SRC,
                        format!("topic `{topic}` must be pubsub-name/topic-name without pubsub-name"),
                    ))
                }
            },
        };
        let body = r.eval(&self.message, SRC)?.into_owned().into_bytes();
        let path = format!("/v1.0/publish/{}/{}", dapr::segment(&pubsub), dapr::segment(&topic));
        let call = self.common.post(r, SRC, path, self.common.content_type, body)?;
        Ok(Effect::Http(Box::new(call)))
    }

    pub fn finish<'p>(&'p self, r: &mut Run<'_, 'p>, outcome: Outcome) -> Result<(), Failure> {
        self.common.finish(r, "publish-to-dapr", outcome)
    }
}
