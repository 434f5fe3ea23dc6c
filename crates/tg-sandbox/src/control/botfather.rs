//! `POST /sandbox/botfather/newbot`: makes a bot as @BotFather's /newbot does, for people trying
//! the sales bot, which asks for a token from BotFather.

use axum::{Json, extract::State};

use super::ControlError;
use crate::{
    api_types::{BotFatherRequest, BotInfo, NewBot},
    botfather::{BotUsername, display_name},
    state::Shared,
};

/// Checks the name and username by Telegram's rules and registers the bot with a fresh token,
/// which the answer carries.
pub async fn new_bot(
    State(sb): State<Shared>,
    Json(req): Json<BotFatherRequest>,
) -> Result<Json<BotInfo>, ControlError> {
    let invalid = |err: crate::botfather::NewBotError| ControlError::BadRequest(err.to_string());
    let name = display_name(&req.name).map_err(invalid)?;
    let username = BotUsername::parse(&req.username).map_err(invalid)?;
    sb.with(|w| {
        // Usernames are unique regardless of case, as in Telegram.
        let taken = w
            .bots
            .values()
            .any(|b| b.info.username.eq_ignore_ascii_case(username.as_str()));
        if taken {
            return Err(ControlError::Conflict(format!(
                "Sorry, the username @{username} is already taken. Please try something different."
            )));
        }
        w.create_bot(NewBot {
            username: username.as_str().to_owned(),
            token: None,
            first_name: Some(name),
        })
    })
    .map(Json)
}
