//! Element dispatch: which policy module compiles each element name, and
//! what happens to the names the engine does not support (an error, or a
//! warning and a skipped note under `policy.unsupported = skip`).
//!
//! Invariants: each supported element becomes one op (or one block, see
//! `flow`) with its site, and every element, compiled or skipped, gets
//! one `check-policy` note; `base` and
//! `include-fragment` never reach this point (the document layer resolves
//! them), so meeting one is an error; the path of an element is APIM's
//! (`choose\when[2]\set-header`), what `context.LastError` reports.

use super::super::effect::AsyncPolicy;
use super::super::program::{Op, Policy};
use super::super::{
    authentication_basic, authentication_certificate, check_header, cors, emit_metric, find_and_replace, ip_filter,
    mock_response, quota, quota_by_key, rate_limit, rate_limit_by_key, return_response, rewrite_uri,
    set_backend_service, set_body, set_header, set_method, set_query_parameter, set_status, set_variable, trace,
    validate_client_certificate, validate_content, validate_headers, validate_parameters, validate_status_code,
};
use super::super::{cache_lookup, cache_lookup_value, cache_remove_value, cache_store, cache_store_value};
use super::super::{invoke_dapr_binding, publish_to_dapr, send_one_way_request, send_request};
use super::super::{json_to_xml, xml_to_json};
use super::{CompileError, Compiler, Element, Node, Note, Unsupported};

impl Compiler<'_> {
    pub(super) fn nodes(&mut self, nodes: &[Node]) -> Result<(), CompileError> {
        self.elements(nodes.iter().filter_map(Node::as_element))
    }

    /// Compiles sibling elements, each under its path segment.
    pub(super) fn elements<'e>(&mut self, els: impl Iterator<Item = &'e Element> + Clone) -> Result<(), CompileError> {
        let segments = path_segments(els.clone());
        for (el, segment) in els.zip(segments) {
            self.path.push(segment);
            let done = self.element(el);
            self.path.pop();
            done?;
        }
        Ok(())
    }

    pub(super) fn push(&mut self, el: &Element, op: Op) {
        self.note(el, false);
        let site = self.site(el, el);
        self.emit(op, site);
    }

    /// The policies that wait (see `policy::effect`), or `None` for another name.
    fn async_policy(&mut self, el: &Element) -> Result<Option<AsyncPolicy>, CompileError> {
        Ok(Some(match el.name.as_str() {
            "send-request" => AsyncPolicy::SendRequest(Box::new(send_request::compile(self, el)?)),
            "send-one-way-request" => {
                AsyncPolicy::SendOneWayRequest(Box::new(send_one_way_request::compile(self, el)?))
            }
            "publish-to-dapr" => AsyncPolicy::PublishToDapr(Box::new(publish_to_dapr::compile(self, el)?)),
            "invoke-dapr-binding" => AsyncPolicy::InvokeDaprBinding(Box::new(invoke_dapr_binding::compile(self, el)?)),
            "cache-lookup" => AsyncPolicy::CacheLookup(Box::new(cache_lookup::compile(self, el)?)),
            "cache-store" => AsyncPolicy::CacheStore(cache_store::compile(self, el)?),
            "cache-lookup-value" => AsyncPolicy::CacheLookupValue(cache_lookup_value::compile(self, el)?),
            "cache-store-value" => AsyncPolicy::CacheStoreValue(cache_store_value::compile(self, el)?),
            "cache-remove-value" => AsyncPolicy::CacheRemoveValue(cache_remove_value::compile(self, el)?),
            "authentication-managed-identity" => AsyncPolicy::AuthenticationManagedIdentity(Box::new(
                super::super::authentication_managed_identity::compile(self, el)?,
            )),
            "validate-jwt" => AsyncPolicy::Jwt(Box::new(super::super::validate_jwt::compile(self, el)?)),
            "validate-azure-ad-token" => {
                AsyncPolicy::Jwt(Box::new(super::super::validate_azure_ad_token::compile(self, el)?))
            }
            _ => return Ok(None),
        }))
    }

    pub(super) fn note(&mut self, el: &Element, skipped: bool) {
        self.notes.push(Note {
            document: self.doc_of(el),
            line: el.line,
            section: self.section,
            element: el.name.clone(),
            skipped,
        });
    }

    pub(super) fn element(&mut self, el: &Element) -> Result<(), CompileError> {
        if let Some(policy) = self.async_policy(el)? {
            self.push(el, Op::Async(policy));
            return Ok(());
        }
        let policy = match el.name.as_str() {
            "set-header" => Policy::SetHeader(set_header::compile(self, el)?),
            "set-query-parameter" => Policy::SetQueryParameter(set_query_parameter::compile(self, el)?),
            "rewrite-uri" => Policy::RewriteUri(rewrite_uri::compile(self, el)?),
            "set-method" => Policy::SetMethod(set_method::compile(self, el)?),
            "set-status" => Policy::SetStatus(set_status::compile(self, el)?),
            "set-body" => Policy::SetBody(set_body::compile(self, el)?),
            "return-response" => Policy::ReturnResponse(return_response::compile(self, el)?),
            "mock-response" => Policy::MockResponse(mock_response::compile(self, el)?),
            "set-backend-service" => Policy::SetBackendService(set_backend_service::compile(self, el)?),
            "set-variable" => Policy::SetVariable(set_variable::compile(self, el)?),
            "check-header" => Policy::CheckHeader(check_header::compile(self, el)?),
            "ip-filter" => Policy::IpFilter(ip_filter::compile(self, el)?),
            "cors" => Policy::Cors(cors::compile(self, el)?),
            "find-and-replace" => Policy::FindAndReplace(find_and_replace::compile(self, el)?),
            "authentication-basic" => Policy::AuthenticationBasic(authentication_basic::compile(self, el)?),
            "authentication-certificate" => {
                Policy::AuthenticationCertificate(authentication_certificate::compile(self, el)?)
            }
            "validate-client-certificate" => {
                Policy::ValidateClientCertificate(validate_client_certificate::compile(self, el)?)
            }
            "trace" => Policy::Trace(trace::compile(self, el)?),
            "emit-metric" => Policy::EmitMetric(emit_metric::compile(self, el)?),
            "rate-limit" => Policy::RateLimit(rate_limit::compile(self, el)?),
            "rate-limit-by-key" => Policy::RateLimitByKey(Box::new(rate_limit_by_key::compile(self, el)?)),
            "quota" => Policy::Quota(quota::compile(self, el)?),
            "quota-by-key" => Policy::QuotaByKey(Box::new(quota_by_key::compile(self, el)?)),
            "validate-content" => Policy::ValidateContent(Box::new(validate_content::compile(self, el)?)),
            "validate-parameters" => Policy::ValidateParameters(Box::new(validate_parameters::compile(self, el)?)),
            "validate-headers" => Policy::ValidateHeaders(Box::new(validate_headers::compile(self, el)?)),
            "validate-status-code" => Policy::ValidateStatusCode(Box::new(validate_status_code::compile(self, el)?)),
            "json-to-xml" => Policy::JsonToXml(Box::new(json_to_xml::compile(self, el)?)),
            "xml-to-json" => Policy::XmlToJson(Box::new(xml_to_json::compile(self, el)?)),
            "forward-request" => {
                let f = set_backend_service::compile_forward(self, el)?;
                self.push(el, Op::Forward(f));
                return Ok(());
            }
            "wait" => return self.wait(el),
            "choose" => return self.choose(el),
            "retry" => return self.retry(el),
            "limit-concurrency" => return self.limit_concurrency(el),
            "base" | "include-fragment" => {
                return Err(self.error(el, "left after composition (the document layer resolves it)"))
            }
            _ => return self.unsupported(el),
        };
        self.push(el, Op::Do(policy));
        Ok(())
    }

    pub(super) fn unsupported(&mut self, el: &Element) -> Result<(), CompileError> {
        match self.unsupported {
            Unsupported::Error => Err(self.error(
                el,
                "policy not supported by this gateway (set `policy.unsupported = skip` to skip it with a warning)",
            )),
            Unsupported::Skip => {
                let e = self.error(el, "policy not supported; skipped");
                self.warnings.push(e.to_string());
                self.note(el, true);
                Ok(())
            }
        }
    }
}

/// APIM's path segment of each sibling element: its name, with `[n]`
/// (counted from 1 among same-named siblings) when the name repeats.
pub(super) fn path_segments<'e>(els: impl Iterator<Item = &'e Element>) -> Vec<String> {
    let names: Vec<&str> = els.map(|e| e.name.as_str()).collect();
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            if names.iter().filter(|n| *n == name).count() > 1 {
                let nth = names[..=i].iter().filter(|n| *n == name).count();
                format!("{name}[{nth}]")
            } else {
                (*name).to_owned()
            }
        })
        .collect()
}
