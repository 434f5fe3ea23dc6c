//! sendDocument, sendPhoto, getFile and file downloads.

use axum::{
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use teloxide::types::{
    Document, File, FileId, FileMeta, FileUniqueId, MediaDocument, MediaKind, MediaPhoto, PhotoSize,
};

use super::{
    Call, Reply,
    messages::{formatted, reply_markup, reply_target},
    params::FileParam,
    reply,
};
use crate::{
    error::{ApiError, ApiResult},
    ids::{BotToken, FileKey},
    state::{Outgoing, Sandbox, StoredFile},
};

/// A MIME type from a file name's extension, for uploads that carry none.
fn guess_mime(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "csv" => "text/csv",
        "txt" => "text/plain",
        "json" => "application/json",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "zip" => "application/zip",
        _ => return None,
    })
}

/// Stores an uploaded file, or finds the one a `file_id` names.
fn resolve(call: &Call, param: FileParam, folder: &str) -> ApiResult<StoredFile> {
    match param {
        FileParam::Upload(upload) => {
            let file_name = upload.file_name.filter(|n| !n.is_empty());
            let mime = upload
                .content_type
                .filter(|c| c != "application/octet-stream")
                .or_else(|| file_name.as_deref().and_then(guess_mime).map(str::to_owned));
            Ok(call
                .sb
                .with(|w| w.store_file(folder, file_name, mime, upload.bytes)))
        }
        FileParam::Reference(id) => call
            .sb
            .with(|w| w.files.get(&FileKey(id)).cloned())
            .ok_or_else(|| ApiError::bad("wrong file identifier/HTTP URL specified")),
    }
}

fn meta(file: &StoredFile) -> FileMeta {
    FileMeta {
        id: FileId(file.key.0.clone()),
        unique_id: FileUniqueId(file.unique_id.clone()),
        size: u32::try_from(file.bytes.len()).unwrap_or(u32::MAX),
    }
}

/// Width and height of a PNG, from its header; (0, 0) for anything else.
fn image_size(bytes: &[u8]) -> (u32, u32) {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.len() >= 24 && bytes.starts_with(PNG) {
        let be = |at: usize| {
            u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        return (be(16), be(20));
    }
    (0, 0)
}

fn send_media(call: &Call, media: MediaKind) -> ApiResult<Reply> {
    let chat_id = call.params.chat_id()?;
    let (reply_to, allow_missing_reply) = reply_target(call)?;
    let parse_mode = call.params.str("parse_mode").filter(|m| !m.is_empty());
    let out = Outgoing {
        media,
        reply_markup: reply_markup(call)?,
        parse_mode,
        source_text: call.params.str("caption"),
        reply_to,
        allow_missing_reply,
        forward_origin: None,
    };
    let message = call
        .sb
        .with(|w| w.bot_send(&call.token, chat_id, out, &call.sb.config.flood))?;
    reply(&message)
}

/// sendDocument: the upload is kept so a test can read it back.
pub fn send_document(call: &Call) -> ApiResult<Reply> {
    call.params.chat_id()?;
    let param = call
        .params
        .file("document")
        .ok_or_else(|| ApiError::bad("there is no document in the request"))?;
    let caption = formatted(call, "caption", "parse_mode", "caption_entities")?;
    let file = resolve(call, param, "documents")?;
    let (caption, caption_entities) = caption
        .map(|(f, _, _)| (Some(f.text), f.entities))
        .unwrap_or_default();
    let media = MediaKind::Document(MediaDocument {
        document: Document {
            file: meta(&file),
            thumbnail: None,
            file_name: file.file_name.clone(),
            mime_type: file.mime_type.as_deref().and_then(|m| m.parse().ok()),
        },
        caption,
        caption_entities,
        media_group_id: None,
    });
    send_media(call, media)
}

/// sendPhoto.
pub fn send_photo(call: &Call) -> ApiResult<Reply> {
    call.params.chat_id()?;
    let param = call
        .params
        .file("photo")
        .ok_or_else(|| ApiError::bad("there is no photo in the request"))?;
    let caption = formatted(call, "caption", "parse_mode", "caption_entities")?;
    let file = resolve(call, param, "photos")?;
    let (width, height) = image_size(&file.bytes);
    let (caption, caption_entities) = caption
        .map(|(f, _, _)| (Some(f.text), f.entities))
        .unwrap_or_default();
    let media = MediaKind::Photo(MediaPhoto {
        photo: vec![PhotoSize {
            file: meta(&file),
            width,
            height,
        }],
        caption,
        caption_entities,
        show_caption_above_media: call.params.bool("show_caption_above_media"),
        has_media_spoiler: call.params.bool("has_spoiler"),
        media_group_id: None,
    });
    send_media(call, media)
}

/// getFile: where to download a file from.
pub fn get_file(call: &Call) -> ApiResult<Reply> {
    let id = call
        .params
        .str("file_id")
        .ok_or_else(|| ApiError::bad("file_id is empty"))?;
    let file = call
        .sb
        .with(|w| w.files.get(&FileKey(id)).cloned())
        .ok_or_else(|| ApiError::bad("wrong file_id or the file is temporarily unavailable"))?;
    reply(&File {
        meta: meta(&file),
        path: file.path.clone(),
    })
}

/// The bytes of a file as a download response.
pub fn file_response(file: &StoredFile) -> Response {
    let mime = file
        .mime_type
        .clone()
        .unwrap_or_else(|| "application/octet-stream".to_owned());
    let mut response = file.bytes.clone().into_response();
    if let Ok(value) = HeaderValue::from_str(&mime) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    if let Some(name) = &file.file_name
        && let Ok(value) = HeaderValue::from_str(&format!(
            "attachment; filename=\"{}\"",
            name.replace('"', "")
        ))
    {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// Decodes `%XX` escapes; malformed ones stay as they are.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `GET /file/bot<token>/<path>`, as teloxide's `download_file` calls it.
pub fn download(sb: &Sandbox, rest: &str) -> Response {
    let Some((token, path)) = rest.split_once('/') else {
        return ApiError::NotFound.into_response();
    };
    let token = BotToken::new(percent_decode(token));
    // teloxide sends the file path as one percent-encoded segment.
    let path = percent_decode(path);
    let file = sb.with(|w| {
        if !w.bots.contains_key(&token) {
            return Err(ApiError::Unauthorized);
        }
        w.files
            .values()
            .find(|f| f.path == path)
            .cloned()
            .ok_or(ApiError::NotFound)
    });
    match file {
        Ok(file) => file_response(&file),
        Err(err) => err.into_response(),
    }
}
