//! Reads a Bot API request's parameters from the query string and a JSON, form or multipart body.
//!
//! Telegram accepts every parameter in any of these encodings, and in the non-JSON ones every value
//! is a string (numbers as digits, objects as JSON text). The accessors here accept both forms.

use std::collections::HashMap;

use axum::{
    body::{Body, Bytes},
    extract::{FromRequest, Multipart, Request},
    http::{HeaderMap, header},
};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use teloxide::types::{ChatId, MessageId};

use crate::error::{ApiError, ApiResult};

/// A file part of a multipart body.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The part's file name.
    pub file_name: Option<String>,
    /// The part's content type.
    pub content_type: Option<String>,
    /// The bytes.
    pub bytes: Bytes,
}

/// The parameters of one Bot API call.
#[derive(Debug, Default)]
pub struct Params {
    fields: Map<String, Value>,
    files: HashMap<String, Upload>,
}

/// Reads every parameter of `req`, refusing bodies over `limit` bytes with 413.
pub async fn read(req: Request, limit: usize) -> ApiResult<Params> {
    let mut params = Params::default();
    if let Some(query) = req.uri().query() {
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            params
                .fields
                .insert(k.into_owned(), Value::String(v.into_owned()));
        }
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > limit) {
        return Err(ApiError::PayloadTooLarge);
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|err| {
        if is_length_limit(&err) {
            ApiError::PayloadTooLarge
        } else {
            ApiError::bad("can't read the request body")
        }
    })?;
    if bytes.is_empty() {
        return Ok(params);
    }
    match content_type(&parts.headers).as_str() {
        "application/json" => params.merge_json(&bytes)?,
        "application/x-www-form-urlencoded" => params.merge_form(&bytes),
        "multipart/form-data" => {
            let req = Request::from_parts(parts, Body::from(bytes));
            params.merge_multipart(req).await?;
        }
        // Telegram guesses; so do we.
        _ if bytes.first() == Some(&b'{') => params.merge_json(&bytes)?,
        _ => params.merge_form(&bytes),
    }
    Ok(params)
}

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

fn is_length_limit(err: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if e.to_string().contains("length limit") {
            return true;
        }
        source = e.source();
    }
    false
}

impl Params {
    fn merge_json(&mut self, bytes: &[u8]) -> ApiResult<()> {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => {
                self.fields.extend(map);
                Ok(())
            }
            Ok(_) => Err(ApiError::bad("the request body must be a JSON object")),
            Err(err) => Err(ApiError::bad(format!("can't parse JSON: {err}"))),
        }
    }

    fn merge_form(&mut self, bytes: &[u8]) {
        for (k, v) in form_urlencoded::parse(bytes) {
            self.fields
                .insert(k.into_owned(), Value::String(v.into_owned()));
        }
    }

    async fn merge_multipart(&mut self, req: Request) -> ApiResult<()> {
        let bad = |err: axum::extract::multipart::MultipartError| {
            ApiError::bad(format!(
                "can't parse multipart/form-data: {}",
                err.body_text()
            ))
        };
        let mut multipart = Multipart::from_request(req, &()).await.map_err(|err| {
            ApiError::bad(format!(
                "can't parse multipart/form-data: {}",
                err.body_text()
            ))
        })?;
        while let Some(field) = multipart.next_field().await.map_err(bad)? {
            let name = field.name().unwrap_or_default().to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let content_type = field.content_type().map(str::to_owned);
            let data = field.bytes().await.map_err(bad)?;
            // A part with a file name is a file, even an empty name (teloxide sends one when it
            // cannot guess it).
            if file_name.is_some() {
                self.files.insert(
                    name,
                    Upload {
                        file_name,
                        content_type,
                        bytes: data,
                    },
                );
            } else {
                let text = String::from_utf8_lossy(&data).into_owned();
                self.fields.insert(name, Value::String(text));
            }
        }
        Ok(())
    }

    /// Whether the parameter is present.
    pub fn has(&self, name: &str) -> bool {
        self.fields.get(name).is_some_and(|v| !v.is_null()) || self.files.contains_key(name)
    }

    /// A string parameter (numbers and booleans are turned into text).
    pub fn str(&self, name: &str) -> Option<String> {
        match self.fields.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// An integer parameter; 400 when it is there but not a number.
    pub fn i64(&self, name: &str) -> ApiResult<Option<i64>> {
        match self.fields.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| ApiError::bad(format!("{name} is invalid"))),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| ApiError::bad(format!("{name} is invalid"))),
            Some(_) => Err(ApiError::bad(format!("{name} is invalid"))),
        }
    }

    /// A floating-point parameter; 400 when it is there but not a number.
    pub fn f64(&self, name: &str) -> ApiResult<Option<f64>> {
        match self.fields.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(Value::String(s)) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| ApiError::bad(format!("{name} is invalid"))),
            Some(_) => Err(ApiError::bad(format!("{name} is invalid"))),
        }
    }

    /// A boolean parameter, false when absent.
    pub fn bool(&self, name: &str) -> bool {
        match self.fields.get(name) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => matches!(s.trim(), "true" | "True" | "1"),
            Some(Value::Number(n)) => n.as_i64().is_some_and(|n| n != 0),
            _ => false,
        }
    }

    /// A JSON parameter, given as a JSON value or as JSON text.
    pub fn json<T: DeserializeOwned>(&self, name: &str, what: &str) -> ApiResult<Option<T>> {
        let value = match self.fields.get(name) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => return Ok(None),
            Some(Value::String(s)) => serde_json::from_str(s)
                .map_err(|_| ApiError::bad(format!("can't parse {what} JSON object")))?,
            Some(v) => v.clone(),
        };
        serde_json::from_value(value)
            .map(Some)
            .map_err(|err| ApiError::bad(format!("can't parse {what}: {err}")))
    }

    /// The required `chat_id`, which Telegram also accepts as "@username".
    pub fn chat_id(&self) -> ApiResult<ChatId> {
        match self.fields.get("chat_id") {
            None | Some(Value::Null) => Err(ApiError::bad("chat_id is empty")),
            Some(Value::String(s)) if s.starts_with('@') => Err(ApiError::chat_not_found()),
            _ => match self.i64("chat_id") {
                Ok(Some(id)) => Ok(ChatId(id)),
                Ok(None) => Err(ApiError::bad("chat_id is empty")),
                Err(_) => Err(ApiError::chat_not_found()),
            },
        }
    }

    /// The required `message_id`.
    pub fn message_id(&self) -> ApiResult<MessageId> {
        let id = self
            .i64("message_id")?
            .ok_or_else(|| ApiError::bad("message identifier is not specified"))?;
        i32::try_from(id)
            .map(MessageId)
            .map_err(|_| ApiError::bad("MESSAGE_ID_INVALID"))
    }

    /// A file parameter: an uploaded part (directly or through `attach://name`), or a text
    /// (a `file_id` or URL) for the caller to resolve.
    pub fn file(&self, name: &str) -> Option<FileParam> {
        if let Some(upload) = self.files.get(name) {
            return Some(FileParam::Upload(upload.clone()));
        }
        let text = self.str(name)?;
        if let Some(part) = text.strip_prefix("attach://") {
            return self.files.get(part).cloned().map(FileParam::Upload);
        }
        Some(FileParam::Reference(text))
    }
}

/// A file given to a sending method.
#[derive(Debug, Clone)]
pub enum FileParam {
    /// Uploaded in this request.
    Upload(Upload),
    /// A `file_id` or URL.
    Reference(String),
}
