//! The Bot API at `/bot<token>/<method>` and file downloads at `/file/bot<token>/<path>`.

mod callbacks;
mod chats;
mod commands;
mod files;
mod forwarding;
mod messages;
pub mod params;
mod payments;

pub use files::file_response;
mod updates;

use axum::{
    extract::{Request, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;

use crate::{
    error::{ApiError, ApiResult},
    ids::BotToken,
    state::Shared,
};
use params::Params;

/// A successful result, already serialised.
pub struct Reply(String);

/// Serialises a method's result.
pub fn reply<T: Serialize>(value: &T) -> ApiResult<Reply> {
    serde_json::to_string(value)
        .map(Reply)
        .map_err(|err| ApiError::bad(format!("could not serialise the result: {err}")))
}

/// `true`, the result of most setters.
pub fn ok_true() -> ApiResult<Reply> {
    Ok(Reply("true".to_owned()))
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut body = String::with_capacity(self.0.len() + 20);
        body.push_str("{\"ok\":true,\"result\":");
        body.push_str(&self.0);
        body.push('}');
        let mut response = body.into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
    }
}

/// One method call, with what every method needs.
pub struct Call {
    /// The sandbox.
    pub sb: Shared,
    /// The calling bot.
    pub token: BotToken,
    /// Its parameters.
    pub params: Params,
}

/// Serves every path that no other route took: Bot API calls, file downloads and 404s.
pub async fn handle(State(sb): State<Shared>, req: Request) -> Response {
    let path = req.uri().path().to_owned();
    if let Some(rest) = path.trim_start_matches('/').strip_prefix("file/bot") {
        return files::download(&sb, rest).into_response();
    }
    let Some((token, method)) = path
        .trim_start_matches('/')
        .strip_prefix("bot")
        .and_then(|rest| rest.split_once('/'))
        .filter(|(token, method)| !token.is_empty() && !method.contains('/'))
    else {
        return ApiError::NotFound.into_response();
    };
    let token = BotToken::new(token);
    let method = method.to_ascii_lowercase();
    let known = sb.with(|w| {
        w.requests += 1;
        match w.bots.get_mut(&token) {
            Some(bot) => {
                bot.counters.requests += 1;
                true
            }
            None => false,
        }
    });
    if !known {
        return ApiError::Unauthorized.into_response();
    }
    if !is_known_method(&method) {
        return ApiError::NotFound.into_response();
    }
    let params = match params::read(req, sb.config.max_body_bytes).await {
        Ok(params) => params,
        Err(err) => return err.into_response(),
    };
    let call = Call { sb, token, params };
    match dispatch(&method, call).await {
        Ok(reply) => reply.into_response(),
        Err(err) => {
            tracing::debug!(%method, %err, "bot api error");
            err.into_response()
        }
    }
}

const METHODS: &[&str] = &[
    "getme",
    "logout",
    "close",
    "getupdates",
    "setwebhook",
    "deletewebhook",
    "getwebhookinfo",
    "sendmessage",
    "editmessagetext",
    "editmessagereplymarkup",
    "editmessagecaption",
    "deletemessage",
    "deletemessages",
    "forwardmessage",
    "copymessage",
    "sendlocation",
    "answercallbackquery",
    "senddocument",
    "sendphoto",
    "getfile",
    "sendchataction",
    "setmycommands",
    "getmycommands",
    "deletemycommands",
    "getchat",
    "getchatmember",
    "getuserprofilephotos",
    "sendinvoice",
    "answerprecheckoutquery",
    "setmydescription",
    "setmyshortdescription",
    "setmyname",
    "setchatmenubutton",
];

fn is_known_method(method: &str) -> bool {
    METHODS.contains(&method)
}

async fn dispatch(method: &str, call: Call) -> ApiResult<Reply> {
    match method {
        "getme" => updates::get_me(&call),
        "logout" | "close" => ok_true(),
        "getupdates" => updates::get_updates(&call).await,
        "setwebhook" => updates::set_webhook(&call),
        "deletewebhook" => updates::delete_webhook(&call),
        "getwebhookinfo" => updates::get_webhook_info(&call),
        "sendmessage" => messages::send_message(&call),
        "editmessagetext" => messages::edit_message_text(&call),
        "editmessagereplymarkup" => messages::edit_message_reply_markup(&call),
        "editmessagecaption" => messages::edit_message_caption(&call),
        "deletemessage" => messages::delete_message(&call),
        "deletemessages" => messages::delete_messages(&call),
        "forwardmessage" => forwarding::forward_message(&call),
        "copymessage" => forwarding::copy_message(&call),
        "sendlocation" => forwarding::send_location(&call),
        "answercallbackquery" => callbacks::answer_callback_query(&call),
        "senddocument" => files::send_document(&call),
        "sendphoto" => files::send_photo(&call),
        "getfile" => files::get_file(&call),
        "sendchataction" => chats::send_chat_action(&call),
        "setmycommands" => commands::set_my_commands(&call),
        "getmycommands" => commands::get_my_commands(&call),
        "deletemycommands" => commands::delete_my_commands(&call),
        "getchat" => chats::get_chat(&call),
        "getchatmember" => chats::get_chat_member(&call),
        "getuserprofilephotos" => chats::get_user_profile_photos(&call),
        "sendinvoice" => payments::send_invoice(&call),
        "answerprecheckoutquery" => payments::answer_pre_checkout_query(&call),
        // Profile settings the sandbox has nowhere to show; accepted so bots can call them.
        "setmydescription" | "setmyshortdescription" | "setmyname" | "setchatmenubutton" => {
            ok_true()
        }
        _ => Err(ApiError::NotFound),
    }
}
