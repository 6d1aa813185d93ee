//! APIM policies: documents, expressions, limits and the engine that runs them.
//!
//! The engine (owned here): `compile` turns composed policy sections into
//! `program`s once, on the control thread; `exec` runs them per request over
//! a `flow` of edits; one file per policy holds its compile and run halves.

pub mod authentication_managed_identity;
pub mod build;
pub mod cache_attrs;
pub mod check;
pub mod compile;
pub mod context;
pub mod convert;
pub mod document;
pub mod effect;
pub mod exec;
pub mod expr;
pub mod failure;
pub mod flow;
pub mod jwt_check;
pub mod limits;
pub mod liquid;
pub mod message_body;
pub mod outgoing;
pub mod program;
pub mod services;
pub mod text;
pub mod validation;

pub mod authentication_basic;
pub mod authentication_certificate;
pub mod cache_lookup;
pub mod cache_lookup_value;
pub mod cache_remove_value;
pub mod cache_store;
pub mod cache_store_value;
pub mod check_header;
pub mod cors;
pub mod dapr;
pub mod emit_metric;
pub mod find_and_replace;
pub mod invoke_dapr_binding;
pub mod ip_filter;
pub mod json_to_xml;
pub mod limit_after;
pub mod limit_concurrency;
pub mod limit_nested;
pub mod limit_reply;
pub mod mock_response;
pub mod publish_to_dapr;
pub mod quota;
pub mod quota_by_key;
pub mod rate_limit;
pub mod rate_limit_by_key;
pub mod retry;
pub mod return_response;
pub mod rewrite_uri;
pub mod send_one_way_request;
pub mod send_request;
pub mod set_backend_service;
pub mod set_body;
pub mod set_header;
pub mod set_method;
pub mod set_query_parameter;
pub mod set_status;
pub mod set_variable;
pub mod trace;
pub mod validate_azure_ad_token;
pub mod validate_client_certificate;
pub mod validate_content;
pub mod validate_headers;
pub mod validate_jwt;
pub mod validate_parameters;
pub mod validate_status_code;
pub mod wait;
pub mod xml_to_json;

#[cfg(test)]
mod tests_async;
#[cfg(test)]
mod tests_cache;
#[cfg(test)]
mod tests_sites;
#[cfg(test)]
mod tests_validation;
