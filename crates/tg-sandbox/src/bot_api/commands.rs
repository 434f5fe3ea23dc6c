//! setMyCommands, getMyCommands and deleteMyCommands, kept per scope and language.

use teloxide::types::{BotCommand, BotCommandScope};

use super::{Call, Reply, ok_true, reply};
use crate::{
    api_types::CommandSet,
    error::{ApiError, ApiResult},
};

fn scope_key(call: &Call) -> ApiResult<(BotCommandScope, Option<String>, (String, String))> {
    let scope: BotCommandScope = call
        .params
        .json("scope", "bot command scope")?
        .unwrap_or(BotCommandScope::Default);
    let language = call.params.str("language_code").filter(|l| !l.is_empty());
    let scope_json = serde_json::to_string(&scope).map_err(|e| ApiError::bad(e.to_string()))?;
    let key = (scope_json, language.clone().unwrap_or_default());
    Ok((scope, language, key))
}

fn valid(command: &BotCommand) -> ApiResult<()> {
    let name_ok = (1..=32).contains(&command.command.len())
        && command
            .command
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !name_ok {
        return Err(ApiError::bad("BOT_COMMAND_INVALID"));
    }
    if !(1..=256).contains(&command.description.chars().count()) {
        return Err(ApiError::bad("command description is empty or too long"));
    }
    Ok(())
}

/// setMyCommands.
pub fn set_my_commands(call: &Call) -> ApiResult<Reply> {
    let commands: Vec<BotCommand> = call
        .params
        .json("commands", "bot commands")?
        .ok_or_else(|| ApiError::bad("commands is empty"))?;
    if commands.len() > 100 {
        return Err(ApiError::bad("too many commands"));
    }
    commands.iter().try_for_each(valid)?;
    let (scope, language_code, key) = scope_key(call)?;
    call.sb.with(|w| {
        let bot = w.bot(&call.token)?;
        if commands.is_empty() {
            bot.commands.remove(&key);
        } else {
            bot.commands.insert(
                key,
                CommandSet {
                    scope,
                    language_code,
                    commands,
                },
            );
        }
        Ok::<_, ApiError>(())
    })?;
    ok_true()
}

/// getMyCommands.
pub fn get_my_commands(call: &Call) -> ApiResult<Reply> {
    let (_, _, key) = scope_key(call)?;
    let commands = call.sb.with(|w| {
        Ok::<_, ApiError>(
            w.bot(&call.token)?
                .commands
                .get(&key)
                .map(|s| s.commands.clone())
                .unwrap_or_default(),
        )
    })?;
    reply(&commands)
}

/// deleteMyCommands.
pub fn delete_my_commands(call: &Call) -> ApiResult<Reply> {
    let (_, _, key) = scope_key(call)?;
    call.sb.with(|w| {
        w.bot(&call.token)?.commands.remove(&key);
        Ok::<_, ApiError>(())
    })?;
    ok_true()
}
