//! The Texts screen: every customer text key with its default and the business's override in
//! each language; an override is set only if its placeholders are exactly the key's (so a typo
//! cannot break a message), and reset to the default. Overrides apply from the next update.

use crate::admin::roles::Acting;
use crate::runtime::context::Cx;
use booking_core::locale::Locale;
use serde_json::json;
use storage::tenant::texts as stored;

use super::{
    audit,
    callback::AdminAction as A,
    input::{self, Pending},
    keyboards::{button, column, rows},
};
use crate::{
    error::BotError,
    texts::Key,
    texts::overrides::{MAX_LEN, OverrideError, validate_override},
};
use bot_kit::Reply;

const PAGE: usize = 10;

async fn overridden(cx: &Cx<'_, Acting>) -> Result<Vec<stored::TextOverride>, BotError> {
    let mut tx = cx.tx().await?;
    let all = stored::all(&mut tx).await?;
    tx.commit().await?;
    Ok(all)
}

pub async fn page(cx: &Cx<'_, Acting>, page: u32) -> Result<Reply, BotError> {
    let all = overridden(cx).await?;
    let pages = Key::ALL.len().div_ceil(PAGE);
    let page = usize::try_from(page)
        .unwrap_or(0)
        .min(pages.saturating_sub(1));
    let keys = Key::ALL.iter().skip(page * PAGE).take(PAGE);
    let mut kb = column(keys.map(|k| {
        let mark = if all.iter().any(|o| o.key == k.code()) {
            "✏️"
        } else {
            "📄"
        };
        button(format!("{mark} {}", k.code()), A::TextKey(*k))
    }));
    let mut nav = Vec::new();
    let n = u32::try_from(page).unwrap_or(0);
    if page > 0 {
        nav.push(button("⬅️", A::TextsPage(n - 1)));
    }
    if page + 1 < pages {
        nav.push(button("➡️", A::TextsPage(n + 1)));
    }
    kb.push(nav);
    kb.push(vec![button(cx.tr("🏠 Panel", "🏠 Панель"), A::Menu)]);
    Ok(Reply::screen(
        format!(
            "📝 {} {}/{pages}\n{}",
            cx.tr("Texts, page", "Тексты, страница"),
            page + 1,
            cx.tr("📄 default · ✏️ changed", "📄 по умолчанию · ✏️ изменён")
        ),
        rows(kb),
    ))
}

pub async fn key(cx: &Cx<'_, Acting>, key: Key) -> Result<Reply, BotError> {
    let all = overridden(cx).await?;
    let mut text = format!("📝 {}", key.code());
    let placeholders: Vec<String> = key
        .placeholders()
        .iter()
        .map(|p| format!("{{{p}}}"))
        .collect();
    if !placeholders.is_empty() {
        text.push_str(&format!(
            "\n{}: {}",
            cx.tr("Placeholders", "Подстановки"),
            placeholders.join(" ")
        ));
    }
    let mut kb = Vec::new();
    for locale in Locale::ALL {
        let current = all
            .iter()
            .find(|o| o.key == key.code() && o.locale == locale);
        text.push_str(&format!(
            "\n\n[{}] {}:\n{}",
            locale.code(),
            cx.tr("default", "по умолчанию"),
            key.default_in(locale)
        ));
        if let Some(o) = current {
            text.push_str(&format!(
                "\n[{}] {}:\n{}",
                locale.code(),
                cx.tr("override", "изменён"),
                o.text
            ));
        }
        let mut row = vec![button(
            format!("✏️ {}", locale.code()),
            A::TextSet(key, locale),
        )];
        if current.is_some() {
            row.push(button(
                format!("↩️ {} {}", cx.tr("Reset", "Сбросить"), locale.code()),
                A::TextReset(key, locale),
            ));
        }
        kb.push(row);
    }
    let index = Key::ALL.iter().position(|k| *k == key).unwrap_or(0);
    kb.push(vec![button(
        cx.tr("◀ Texts", "◀ Тексты"),
        A::TextsPage(u32::try_from(index / PAGE).unwrap_or(0)),
    )]);
    Ok(Reply::screen(text, rows(kb)))
}

pub async fn set_ask(cx: &Cx<'_, Acting>, key: Key, locale: Locale) -> Result<Reply, BotError> {
    input::set(
        cx.app,
        cx.chat,
        &Pending::TextSet {
            key: key.code().to_owned(),
            locale,
        },
    )
    .await?;
    Ok(Reply::screen(
        format!(
            "✏️ {} [{}]: {} (/admin {})",
            key.code(),
            locale.code(),
            cx.tr(
                "send the new text, with the same {placeholders}",
                "пришлите новый текст с теми же {подстановками}"
            ),
            cx.tr("to leave", "— выйти"),
        ),
        rows(vec![vec![button(
            cx.tr("◀ Back", "◀ Назад"),
            A::TextKey(key),
        )]]),
    ))
}

pub async fn set(
    cx: &Cx<'_, Acting>,
    code: &str,
    locale: Locale,
    text: &str,
) -> Result<Reply, BotError> {
    let Some(key) = Key::from_code(code) else {
        input::clear(cx.app, cx.chat).await?;
        return Ok(Reply::alert(
            cx.tr("This text no longer exists.", "Такого текста больше нет."),
        ));
    };
    if let Err(e) = validate_override(key, text) {
        return Ok(Reply::alert(override_error(cx, &e)));
    }
    let mut tx = cx.tx().await?;
    stored::set(
        &mut tx,
        key.code(),
        locale,
        text,
        Some(cx.who.id),
        cx.app.now(),
    )
    .await?;
    audit::record(
        cx,
        &mut tx,
        "text.set",
        format!("text:{}:{}", key.code(), locale.code()),
        json!({ "text": text }),
    )
    .await?;
    tx.commit().await?;
    input::clear(cx.app, cx.chat).await?;
    Ok(self::key(cx, key)
        .await?
        .with_alert(cx.tr("Saved.", "Сохранено.")))
}

pub async fn reset(cx: &Cx<'_, Acting>, key: Key, locale: Locale) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    if stored::reset(&mut tx, key.code(), locale).await? {
        audit::record(
            cx,
            &mut tx,
            "text.reset",
            format!("text:{}:{}", key.code(), locale.code()),
            json!({}),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(self::key(cx, key)
        .await?
        .with_alert(cx.tr("Back to the default.", "Возвращён текст по умолчанию.")))
}

/// Why a text was refused, in the admin's language.
fn override_error(cx: &Cx<'_, Acting>, e: &OverrideError) -> String {
    let body = match e {
        OverrideError::Empty => cx.tr("The text is empty.", "Текст пустой.").to_owned(),
        OverrideError::TooLong => format!(
            "{} {MAX_LEN}.",
            cx.tr(
                "The text is too long: characters at most",
                "Текст слишком длинный: символов не больше"
            )
        ),
        OverrideError::Unknown(p) => format!(
            "{} {{{p}}}.",
            cx.tr(
                "This text has no placeholder",
                "В этом тексте нет подстановки"
            )
        ),
        OverrideError::Missing(p) => format!(
            "{} {{{p}}}.",
            cx.tr("Keep the placeholder", "Оставьте подстановку")
        ),
        OverrideError::StrayBrace => cx
            .tr(
                "A brace is not part of a {placeholder}: braces only go around placeholder names.",
                "Фигурная скобка вне {подстановки}: в скобках пишется только имя подстановки.",
            )
            .to_owned(),
    };
    format!("⚠️ {body}")
}
