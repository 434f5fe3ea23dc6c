//! The operator bot's texts in Russian and English, chosen by the operator's Telegram
//! `language_code`.

use booking_core::locale::Locale;
use storage::control::placement::Placement;

/// The texts of one language.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Texts(pub Locale);

impl Texts {
    #[must_use]
    pub fn for_code(code: Option<&str>) -> Self {
        Self(Locale::from_telegram(code))
    }

    const fn pick(self, en: &'static str, ru: &'static str) -> &'static str {
        bot_kit::tr(self.0, en, ru)
    }

    #[must_use]
    pub const fn refused(self) -> &'static str {
        self.pick(
            "This bot is for the platform's operators only.",
            "Этот бот только для операторов платформы.",
        )
    }

    #[must_use]
    pub const fn help(self) -> &'static str {
        self.pick(
            "Operator menu.\n/tenants — all tenants\n/find <text> — by name, id or @bot\n/tenant <id> — details\n/stats — platform figures\n/alerts — latest alerts\n/token <id> <token> — replace a tenant's bot token\nAny other text is a search.",
            "Меню оператора.\n/tenants — все клиенты\n/find <текст> — по названию, номеру или @боту\n/tenant <номер> — подробно\n/stats — цифры платформы\n/alerts — последние оповещения\n/token <номер> <токен> — заменить токен бота клиента\nЛюбой другой текст — поиск.",
        )
    }

    #[must_use]
    pub const fn token_usage(self) -> &'static str {
        self.pick(
            "/token <tenant id> <new bot token> — replace a tenant's bot token (a leaked one revoked at @BotFather); your message is deleted",
            "/token <номер клиента> <новый токен> — заменить токен бота клиента (например, после утечки и отзыва в @BotFather); ваше сообщение будет удалено",
        )
    }

    #[must_use]
    pub fn token_replaced(self, username: &str, restarts: bool) -> String {
        let restart = if restarts {
            self.pick(
                " The bot is being restarted with it.",
                " Бот перезапускается с ним.",
            )
        } else {
            self.pick(
                " The bot is stopped; it will use it when deployed.",
                " Бот остановлен; новый токен заработает при запуске.",
            )
        };
        format!(
            "{} @{username}.{restart}",
            self.pick(
                "🔑 Token replaced and stored encrypted; the bot is",
                "🔑 Токен заменён и сохранён в зашифрованном виде; бот —",
            )
        )
    }

    #[must_use]
    pub const fn token_refused(self) -> &'static str {
        self.pick(
            "⚠️ Telegram does not accept this token; nothing was changed. Copy it from @BotFather again.",
            "⚠️ Telegram не принимает этот токен; ничего не изменено. Скопируйте его из @BotFather заново.",
        )
    }

    #[must_use]
    pub fn token_in_use(self, username: &str) -> String {
        format!(
            "⚠️ @{username} {}",
            self.pick(
                "already serves another tenant; nothing was changed.",
                "уже обслуживает другого клиента; ничего не изменено.",
            )
        )
    }

    #[must_use]
    pub const fn token_unchecked(self) -> &'static str {
        self.pick(
            "⏳ Telegram could not be asked about the token; nothing was changed. Try again in a minute.",
            "⏳ Не удалось проверить токен в Telegram; ничего не изменено. Попробуйте через минуту.",
        )
    }

    #[must_use]
    pub const fn token_no_key(self) -> &'static str {
        self.pick(
            "⚠️ DATA_KEY is not set on this server, so a token cannot be stored.",
            "⚠️ На сервере не задан DATA_KEY, поэтому токен нельзя сохранить.",
        )
    }

    #[must_use]
    pub const fn tenants_button(self) -> &'static str {
        self.pick("Tenants", "Клиенты")
    }

    #[must_use]
    pub const fn stats_button(self) -> &'static str {
        self.pick("Stats", "Статистика")
    }

    #[must_use]
    pub const fn alerts_button(self) -> &'static str {
        self.pick("Alerts", "Оповещения")
    }

    #[must_use]
    pub const fn no_alerts(self) -> &'static str {
        self.pick("No alerts yet.", "Оповещений пока нет.")
    }

    #[must_use]
    pub const fn menu_button(self) -> &'static str {
        self.pick("Menu", "Меню")
    }

    #[must_use]
    pub const fn next_button(self) -> &'static str {
        self.pick("Next ›", "Дальше ›")
    }

    #[must_use]
    pub const fn first_button(self) -> &'static str {
        self.pick("« First", "« В начало")
    }

    #[must_use]
    pub const fn refresh_button(self) -> &'static str {
        self.pick("Refresh", "Обновить")
    }

    #[must_use]
    pub const fn back_button(self) -> &'static str {
        self.pick("‹ Back", "‹ Назад")
    }

    #[must_use]
    pub const fn deploy_button(self) -> &'static str {
        self.pick("Deploy", "Запустить")
    }

    #[must_use]
    pub const fn stop_button(self) -> &'static str {
        self.pick("Stop", "Остановить")
    }

    #[must_use]
    pub const fn restart_button(self) -> &'static str {
        self.pick("Restart", "Перезапустить")
    }

    #[must_use]
    pub fn extend_button(self, days: i32) -> String {
        format!("+{days} {}", self.pick("d", "дн."))
    }

    #[must_use]
    pub const fn confirm_button(self) -> &'static str {
        self.pick("Confirm", "Подтвердить")
    }

    #[must_use]
    pub const fn cancel_button(self) -> &'static str {
        self.pick("Cancel", "Отмена")
    }

    #[must_use]
    pub const fn tenants_title(self) -> &'static str {
        self.pick("Tenants", "Клиенты")
    }

    #[must_use]
    pub const fn no_tenants(self) -> &'static str {
        self.pick("No tenants yet.", "Клиентов пока нет.")
    }

    #[must_use]
    pub fn found(self, query: &str, n: usize) -> String {
        match self.0 {
            Locale::En => format!("Found for “{query}”: {n}"),
            Locale::Ru => format!("Найдено по «{query}»: {n}"),
        }
    }

    #[must_use]
    pub fn nothing_found(self, query: &str) -> String {
        match self.0 {
            Locale::En => format!("Nothing found for “{query}”."),
            Locale::Ru => format!("По «{query}» ничего не найдено."),
        }
    }

    #[must_use]
    pub const fn find_usage(self) -> &'static str {
        self.pick(
            "Write what to look for: /find <name, id or @bot>",
            "Напишите, что искать: /find <название, номер или @бот>",
        )
    }

    #[must_use]
    pub const fn tenant_usage(self) -> &'static str {
        self.pick(
            "Write the tenant's id: /tenant 42",
            "Напишите номер клиента: /tenant 42",
        )
    }

    #[must_use]
    pub const fn not_found(self) -> &'static str {
        self.pick("No such tenant.", "Такого клиента нет.")
    }

    #[must_use]
    pub const fn label_status(self) -> &'static str {
        self.pick("Status", "Статус")
    }

    #[must_use]
    pub const fn label_bot(self) -> &'static str {
        self.pick("Bot", "Бот")
    }

    #[must_use]
    pub const fn label_owner(self) -> &'static str {
        self.pick("Owner", "Владелец")
    }

    #[must_use]
    pub const fn label_desired(self) -> &'static str {
        self.pick("Desired", "Нужно")
    }

    #[must_use]
    pub const fn label_actual(self) -> &'static str {
        self.pick("Actual", "Сейчас")
    }

    #[must_use]
    pub const fn label_subscription(self) -> &'static str {
        self.pick("Subscription", "Подписка")
    }

    #[must_use]
    pub const fn label_until(self) -> &'static str {
        self.pick("until", "до")
    }

    #[must_use]
    pub const fn label_grace(self) -> &'static str {
        self.pick("grace until", "льгота до")
    }

    #[must_use]
    pub const fn label_placement(self) -> &'static str {
        self.pick("Runs", "Где работает")
    }

    /// Where a bot runs, as the card shows it.
    #[must_use]
    pub const fn placement(self, placement: Placement) -> &'static str {
        match placement {
            Placement::Dedicated => self.pick("its own container", "свой контейнер"),
            Placement::Shared => self.pick("a shared bot host", "общий бот-хост"),
        }
    }

    /// Whose choice the placement is.
    #[must_use]
    pub const fn placement_source(self, overridden: bool) -> &'static str {
        if overridden {
            self.pick("operator's choice", "выбор оператора")
        } else {
            self.pick("as the plan says", "по тарифу")
        }
    }

    /// The button that moves a bot to `placement`.
    #[must_use]
    pub const fn move_to_button(self, placement: Placement) -> &'static str {
        match placement {
            Placement::Dedicated => self.pick("To own container", "В свой контейнер"),
            Placement::Shared => self.pick("To shared host", "На общий хост"),
        }
    }

    #[must_use]
    pub const fn follow_plan_button(self) -> &'static str {
        self.pick("As the plan says", "Как в тарифе")
    }

    #[must_use]
    pub const fn placement_queued(self) -> &'static str {
        self.pick(
            "Placement changed; the deploy worker moves the bot.",
            "Размещение изменено; бот будет перенесён.",
        )
    }

    #[must_use]
    pub const fn label_deployments(self) -> &'static str {
        self.pick("Latest deployments", "Последние развёртывания")
    }

    #[must_use]
    pub const fn none(self) -> &'static str {
        self.pick("none", "нет")
    }

    #[must_use]
    pub const fn deploy_queued(self) -> &'static str {
        self.pick("Deploy queued.", "Запуск поставлен в очередь.")
    }

    #[must_use]
    pub const fn stop_queued(self) -> &'static str {
        self.pick("Stop queued.", "Остановка поставлена в очередь.")
    }

    #[must_use]
    pub const fn restart_queued(self) -> &'static str {
        self.pick("Restart queued.", "Перезапуск поставлен в очередь.")
    }

    #[must_use]
    pub const fn restart_already(self) -> &'static str {
        self.pick("A restart is already queued.", "Перезапуск уже в очереди.")
    }

    #[must_use]
    pub const fn not_running(self) -> &'static str {
        self.pick(
            "The bot is meant to be stopped: deploy it first.",
            "Бот должен быть остановлен: сначала запустите его.",
        )
    }

    #[must_use]
    pub const fn no_subscription(self) -> &'static str {
        self.pick(
            "This tenant has no subscription.",
            "У клиента нет подписки.",
        )
    }

    #[must_use]
    pub fn extend_confirm(self, name: &str, id: i64, days: i32, until: &str) -> String {
        match self.0 {
            Locale::En => format!(
                "Extend the subscription of “{name}” (#{id}) by {days} days?\nNow until {until}."
            ),
            Locale::Ru => {
                let days = self.0.count(
                    u64::try_from(days).unwrap_or(0),
                    ["день", "дня", "дней"],
                    ["day", "days"],
                );
                format!("Продлить подписку «{name}» (#{id}) на {days}?\nСейчас до {until}.")
            }
        }
    }

    #[must_use]
    pub fn extended(self, until: &str) -> String {
        match self.0 {
            Locale::En => format!("Extended until {until}."),
            Locale::Ru => format!("Продлено до {until}."),
        }
    }

    #[must_use]
    pub const fn outdated_button(self) -> &'static str {
        self.pick(
            "This button is outdated; open the menu again.",
            "Эта кнопка устарела; откройте меню заново.",
        )
    }

    #[must_use]
    pub const fn failed(self) -> &'static str {
        self.pick(
            "Something went wrong; try again in a minute.",
            "Что-то пошло не так; попробуйте через минуту.",
        )
    }

    #[must_use]
    pub const fn stats_title(self) -> &'static str {
        self.pick("Platform", "Платформа")
    }

    #[must_use]
    pub const fn stats_tenants(self) -> &'static str {
        self.pick("Tenants by status", "Клиенты по статусу")
    }

    #[must_use]
    pub const fn stats_subscriptions(self) -> &'static str {
        self.pick("Subscriptions by status", "Подписки по статусу")
    }

    #[must_use]
    pub const fn stats_payments(self) -> &'static str {
        self.pick("Payments this month", "Платежи за месяц")
    }

    #[must_use]
    pub const fn stats_unsent(self) -> &'static str {
        self.pick("Undelivered alerts", "Недоставленные оповещения")
    }

    /// The heading of an alert of `kind` (a stored kind name).
    #[must_use]
    pub fn alert_heading(self, kind: &str) -> &'static str {
        match kind {
            "deployment_failed" => self.pick("⚠️ Deployment failed", "⚠️ Развёртывание не удалось"),
            "payment_received" => self.pick("💳 Payment received", "💳 Получен платёж"),
            "subscription_expiring" => {
                self.pick("⏳ Subscription expiring", "⏳ Подписка заканчивается")
            }
            "subscription_suspended" => self.pick("⛔ Tenant suspended", "⛔ Клиент приостановлен"),
            "tenant_created" => self.pick("🆕 New tenant", "🆕 Новый клиент"),
            _ => self.pick("🔔 Alert", "🔔 Оповещение"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_follows_telegrams_code() {
        assert_eq!(Texts::for_code(Some("en-GB")).0, Locale::En);
        assert_eq!(Texts::for_code(Some("ru")).0, Locale::Ru);
        assert_ne!(Texts(Locale::En).refused(), Texts(Locale::Ru).refused());
    }
}
