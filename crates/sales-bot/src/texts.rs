//! What the sales bot says, in Russian and English. The buyer's language comes from
//! Telegram's `language_code`.

use booking_core::locale::Locale;

use crate::money::Money;

/// The texts of one language.
#[derive(Copy, Clone, Debug)]
pub struct Texts {
    locale: Locale,
}

impl Texts {
    #[must_use]
    pub const fn new(locale: Locale) -> Self {
        Self { locale }
    }

    #[must_use]
    pub const fn locale(self) -> Locale {
        self.locale
    }

    fn pick(self, en: &str, ru: &str) -> String {
        bot_kit::tr(self.locale, en, ru).to_owned()
    }

    /// "7 дней", "1 день", "30 days".
    fn days(self, n: i32) -> String {
        self.locale.count(
            u64::try_from(n).unwrap_or(0),
            ["день", "дня", "дней"],
            ["day", "days"],
        )
    }

    /// A price as this language reads it: "1 990 ₽" ([`Money::shown`]).
    fn money(self, m: &Money) -> String {
        m.shown(self.locale)
    }

    pub fn welcome(self) -> String {
        self.pick(
            "Hello! This is an appointment bot for your business on Telegram.\n\n\
             • customers book, move and cancel visits themselves, in chat;\n\
             • visit reminders with buttons;\n\
             • schedule, services and staff run from your admin chat;\n\
             • your own bot under your own name.\n\n\
             What would you like to see?",
            "Здравствуйте! Это бот записи для вашего бизнеса в Telegram.\n\n\
             • клиенты записываются, переносят и отменяют визиты сами, в чате;\n\
             • напоминания о визитах с кнопками;\n\
             • расписание, услуги и мастера — из вашего чата администратора;\n\
             • у вас свой бот с вашим именем.\n\n\
             Выберите, что посмотреть:",
        )
    }

    pub fn btn_plans(self) -> String {
        self.pick("💰 Plans and buying", "💰 Тарифы и покупка")
    }
    pub fn btn_demo(self) -> String {
        self.pick("📱 Demo bot", "📱 Демо-бот")
    }
    pub fn btn_trial(self) -> String {
        self.pick("🎁 Free trial", "🎁 Попробовать бесплатно")
    }
    pub fn btn_about(self) -> String {
        self.pick("❓ How it works", "❓ Как это работает")
    }
    pub fn btn_back(self) -> String {
        self.pick("⬅️ Back", "⬅️ Назад")
    }
    pub fn btn_cancel(self) -> String {
        self.pick("✖️ Cancel", "✖️ Отменить")
    }
    pub fn btn_pay(self) -> String {
        self.pick("💳 Pay", "💳 Оплатить")
    }
    pub fn btn_check(self) -> String {
        self.pick("🔍 Check payment", "🔍 Проверить оплату")
    }

    pub fn about(self, trial_days: i32) -> String {
        match self.locale {
            Locale::Ru => format!(
                "Как это работает:\n1. Выберите тариф (или {} бесплатно).\n\
                 2. Назовите бизнес и часовой пояс.\n3. Создайте своего бота у @BotFather и \
                 пришлите его токен — мы проверим его до оплаты.\n4. Оплатите картой через \
                 ЮKassa.\n5. Ваш бот запустится сам, мы пришлём ссылку.",
                self.days(trial_days)
            ),
            Locale::En => format!(
                "How it works:\n1. Pick a plan (or {trial_days} days free).\n2. Name your \
                 business and its time zone.\n3. Create your bot with @BotFather and send its \
                 token: we check it before you pay.\n4. Pay by card through YooKassa.\n\
                 5. Your bot starts by itself; we send you its link."
            ),
        }
    }

    pub fn plans(self, plans: &[(String, Money, i32)]) -> String {
        let mut text = self.pick("Plans:\n", "Тарифы:\n");
        for (name, price, days) in plans {
            let (price, days) = (self.money(price), self.days(*days));
            text.push_str(&match self.locale {
                Locale::Ru => format!("\n• {name}: {price} за {days}"),
                Locale::En => format!("\n• {name}: {price} for {days}"),
            });
        }
        if plans.is_empty() {
            text.push_str(&self.pick(
                "\nNo plans are on sale right now.",
                "\nСейчас нет доступных тарифов.",
            ));
        }
        text
    }

    pub fn btn_buy(self, name: &str, price: &Money) -> String {
        let price = self.money(price);
        match self.locale {
            Locale::Ru => format!("Купить «{name}» — {price}"),
            Locale::En => format!("Buy \"{name}\" — {price}"),
        }
    }

    pub fn no_demo(self) -> String {
        self.pick(
            "The demo bot is not set up yet. Try the free trial!",
            "Демо-бот пока не настроен. Попробуйте бесплатный период!",
        )
    }
    pub fn demo(self) -> String {
        self.pick(
            "This is what your customers get; try booking in it:",
            "Так выглядит бот для клиентов — запишитесь в нём на пробу:",
        )
    }
    pub fn trial_used(self) -> String {
        self.pick(
            "This account has had its free trial already. Pick a plan:",
            "Бесплатный период уже был использован с этого аккаунта. Выберите тариф:",
        )
    }
    pub fn trial_unavailable(self) -> String {
        self.pick(
            "The free trial is not available right now: no plan is on sale yet. Please try \
             again later.",
            "Бесплатный период сейчас недоступен: тарифы ещё не открыты для продажи. \
             Попробуйте, пожалуйста, позже.",
        )
    }
    pub fn renew_not_yours(self) -> String {
        self.pick(
            "Only the bot's owner can renew its subscription from this link. If that is you, \
             open the link from the Telegram account the bot was bought with.",
            "Продлить подписку по этой ссылке может только владелец бота. Если это вы, \
             откройте ссылку из того аккаунта Telegram, с которого бот был куплен.",
        )
    }
    pub fn plan_gone(self) -> String {
        self.pick(
            "This plan is no longer on sale. Please pick another one under \"Plans and buying\".",
            "Этот тариф больше не продаётся. Выберите, пожалуйста, другой в разделе «Тарифы и покупка».",
        )
    }
    pub fn payments_off(self) -> String {
        self.pick(
            "Payments are not available right now. Try later, or start with the free trial.",
            "Оплата сейчас недоступна. Попробуйте позже или начните с бесплатного периода.",
        )
    }

    pub fn ask_name(self) -> String {
        self.pick(
            "What is your business called? Customers will see this name (up to 100 characters).",
            "Как называется ваш бизнес? Так его увидят клиенты (до 100 символов).",
        )
    }
    pub fn bad_name(self) -> String {
        self.pick(
            "The name must be 1 to 100 characters. Please try again.",
            "Название должно быть от 1 до 100 символов. Попробуйте ещё раз.",
        )
    }
    pub fn ask_zone(self) -> String {
        self.pick(
            "Which time zone do you work in? Pick one, or type an IANA name such as \
             Europe/Moscow.",
            "В каком часовом поясе вы работаете? Выберите или напишите название из базы IANA, \
             например Europe/Moscow.",
        )
    }
    pub fn bad_zone(self) -> String {
        self.pick(
            "I do not know that time zone. Type, for example, Europe/Moscow or \
             Asia/Yekaterinburg.",
            "Не знаю такого часового пояса. Напишите, например, Europe/Moscow или \
             Asia/Yekaterinburg.",
        )
    }
    pub fn ask_email(self) -> String {
        self.pick(
            "Which email should the receipt go to?",
            "На какой email прислать чек?",
        )
    }
    pub fn bad_email(self) -> String {
        self.pick(
            "That does not look like an email address. Please try again.",
            "Это не похоже на email. Попробуйте ещё раз.",
        )
    }
    pub fn ask_token(self) -> String {
        self.pick(
            "Now create your own bot; it is free and takes a minute:\n\
             1. Open @BotFather in Telegram.\n\
             2. Send it /newbot.\n\
             3. Give the bot a name (customers see it), then a username ending in \"bot\".\n\
             4. BotFather replies with a token like 123456789:AA…\n\
             5. Copy the token and send it here.\n\n\
             The token is stored encrypted; do not show it to anyone else.",
            "Теперь создайте своего бота — это бесплатно и займёт минуту:\n\
             1. Откройте @BotFather в Telegram.\n\
             2. Отправьте ему /newbot.\n\
             3. Введите имя бота (его увидят клиенты), затем username, оканчивающийся на «bot».\n\
             4. BotFather пришлёт токен вида 123456789:AA…\n\
             5. Скопируйте токен и пришлите его сюда.\n\n\
             Токен хранится зашифрованным; никому его не показывайте.",
        )
    }
    pub fn bad_token(self) -> String {
        self.pick(
            "That does not look like a bot token (123456789:AA…). Copy it whole from \
             @BotFather's message.",
            "Это не похоже на токен бота (123456789:AA…). Скопируйте его из сообщения \
             @BotFather целиком.",
        )
    }
    pub fn token_refused(self) -> String {
        self.pick(
            "Telegram does not accept this token. Check it in @BotFather (/token) and send it \
             again.",
            "Telegram не принимает этот токен. Проверьте его в @BotFather (/token) и пришлите \
             снова.",
        )
    }
    pub fn token_unchecked(self) -> String {
        self.pick(
            "Could not check the token: Telegram did not answer. Send it again in a minute.",
            "Не получилось проверить токен: Telegram не ответил. Пришлите его ещё раз через \
             минуту.",
        )
    }
    pub fn bot_in_use(self, username: &str) -> String {
        match self.locale {
            Locale::Ru => format!(
                "Бот @{username} уже подключён к другому бизнесу. Создайте нового бота в \
                 @BotFather и пришлите его токен."
            ),
            Locale::En => format!(
                "@{username} already serves another business. Create a new bot with \
                 @BotFather and send its token."
            ),
        }
    }
    pub fn pay(self, plan: &str, price: &Money, username: &str) -> String {
        let price = self.money(price);
        match self.locale {
            Locale::Ru => format!(
                "Всё готово к оплате.\nТариф: {plan}\nСумма: {price}\nБот: @{username}\n\n\
                 Нажмите «Оплатить». После оплаты бот запустится сам; если сообщение не пришло, \
                 нажмите «Проверить оплату»."
            ),
            Locale::En => format!(
                "Ready to pay.\nPlan: {plan}\nAmount: {price}\nBot: @{username}\n\n\
                 Press Pay. Your bot starts by itself after the payment; if no message comes, \
                 press Check payment."
            ),
        }
    }
    pub fn payment_failed(self) -> String {
        self.pick(
            "Could not create the payment: YooKassa did not answer. Your order is saved; press \
             Check payment in a minute.",
            "Не получилось создать платёж: ЮKassa не ответила. Ваш заказ сохранён — нажмите \
             «Проверить оплату» через минуту.",
        )
    }
    pub fn pending(self) -> String {
        self.pick(
            "The payment has not arrived yet. If you have paid, give it a minute.",
            "Оплата ещё не поступила. Если вы уже оплатили, подождите минуту.",
        )
    }
    pub fn canceled(self) -> String {
        self.pick(
            "The payment was cancelled; nothing was charged. Start again from /start.",
            "Платёж отменён, деньги не списаны. Начните заново из /start.",
        )
    }
    pub fn paid(self) -> String {
        self.pick(
            "✅ Payment received! Creating your bot…",
            "✅ Оплата получена! Создаём вашего бота…",
        )
    }
    pub fn under_review(self) -> String {
        self.pick(
            "The payment needs an operator's check. We will contact you.",
            "Платёж требует проверки оператором. Мы свяжемся с вами.",
        )
    }
    pub fn expired(self) -> String {
        self.pick(
            "The order expired unpaid. Start again from /start.",
            "Заказ истёк без оплаты. Начните заново из /start.",
        )
    }
    pub fn starting(self, business: &str) -> String {
        match self.locale {
            Locale::Ru => format!(
                "Бот для «{business}» создан и запускается. Как только он заработает, пришлём \
                 ссылку."
            ),
            Locale::En => format!(
                "The bot for \"{business}\" is created and starting. We will send its link as \
                 soon as it is up."
            ),
        }
    }
    pub fn trial_started(self, days: i32) -> String {
        match self.locale {
            Locale::Ru => format!("🎁 Бесплатный период на {} начат!", self.days(days)),
            Locale::En => format!("🎁 Your {days}-day free trial has started!"),
        }
    }
    pub fn live(self, username: &str) -> String {
        match self.locale {
            Locale::Ru => format!(
                "🎉 Ваш бот работает: https://t.me/{username}\n\n\
                 Откройте его и отправьте /admin — это ваша админ-панель (команда есть и в \
                 меню бота). Пока клиенты не могут записаться, /admin показывает список шагов: \
                 добавить услугу и мастера, часы работы, пару слов о вас, адрес и контакты. \
                 Там же — ссылки на бота и QR-коды для стойки администратора.\n\n\
                 Клиенты открывают бота по ссылке и нажимают /start."
            ),
            Locale::En => format!(
                "🎉 Your bot is live: https://t.me/{username}\n\n\
                 Open it and send /admin: that is your admin panel (it is in the bot's menu \
                 too). Until customers can book, /admin shows the steps left: a service and a \
                 staff member, working hours, a few words about you, the address and \
                 contacts. It also makes the bot's links and QR codes for the front desk.\n\n\
                 Customers open the bot by its link and press /start."
            ),
        }
    }
    pub fn bot_taken_after_payment(self) -> String {
        self.pick(
            "Payment received, but your bot was taken by another business meanwhile. An \
             operator will contact you to connect another bot.",
            "Оплата получена, но указанный бот уже занят другим бизнесом. Оператор свяжется с \
             вами, чтобы подключить другого бота.",
        )
    }
    pub fn not_yours(self) -> String {
        self.pick("This is not your order.", "Это не ваш заказ.")
    }
    pub fn stale(self) -> String {
        self.pick(
            "This button is out of date. Start from /start.",
            "Эта кнопка устарела. Начните из /start.",
        )
    }
    pub fn too_many_pending(self, limit: i64) -> String {
        match self.locale {
            Locale::Ru => format!(
                "Неоплаченных заказов у вас уже {limit}: больше сразу нельзя. Оплатите один из \
                 них (кнопка «Оплатить» выше) или подождите, пока истечёт срок оплаты, и \
                 попробуйте снова."
            ),
            Locale::En => format!(
                "You already have {limit} unpaid orders, the most one buyer may have at once. \
                 Pay one of them (the Pay button above) or wait until it expires, then try \
                 again."
            ),
        }
    }
    pub fn try_later(self) -> String {
        self.pick(
            "Something went wrong. Please try again in a minute.",
            "Что-то пошло не так. Попробуйте через минуту.",
        )
    }
    pub fn cancelled_flow(self) -> String {
        self.pick("Cancelled.", "Отменено.")
    }

    pub fn renewed(self, business: &str, until: &str) -> String {
        match self.locale {
            Locale::Ru => format!("✅ Подписка «{business}» продлена до {until}."),
            Locale::En => {
                format!("✅ The subscription of \"{business}\" is renewed until {until}.")
            }
        }
    }
    pub fn renewal_failed(self, business: &str) -> String {
        match self.locale {
            Locale::Ru => format!(
                "Не удалось списать оплату за подписку «{business}». Пополните карту или \
                 оплатите заново через /start; после окончания периода бот работает ещё \
                 несколько дней льготного периода."
            ),
            Locale::En => format!(
                "We could not charge the subscription of \"{business}\". Top up the card or \
                 pay again through /start; after the period ends the bot keeps running for a \
                 few days of grace."
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every text, with sample arguments.
    fn every_text(t: Texts) -> Vec<String> {
        let price = Money::new(199_000, "RUB");
        vec![
            t.welcome(),
            t.btn_plans(),
            t.btn_demo(),
            t.btn_trial(),
            t.btn_about(),
            t.btn_back(),
            t.btn_cancel(),
            t.btn_pay(),
            t.btn_check(),
            t.about(7),
            t.plans(&[("Month".to_owned(), price.clone(), 30)]),
            t.plans(&[]),
            t.btn_buy("Month", &price),
            t.no_demo(),
            t.demo(),
            t.trial_used(),
            t.payments_off(),
            t.ask_name(),
            t.bad_name(),
            t.ask_zone(),
            t.bad_zone(),
            t.ask_email(),
            t.bad_email(),
            t.ask_token(),
            t.bad_token(),
            t.token_refused(),
            t.token_unchecked(),
            t.bot_in_use("salon_bot"),
            t.pay("Month", &price, "salon_bot"),
            t.payment_failed(),
            t.pending(),
            t.canceled(),
            t.paid(),
            t.under_review(),
            t.expired(),
            t.starting("Salon"),
            t.trial_started(7),
            t.live("salon_bot"),
            t.bot_taken_after_payment(),
            t.not_yours(),
            t.stale(),
            t.try_later(),
            t.cancelled_flow(),
            t.renewed("Salon", "01.01.2027"),
            t.renewal_failed("Salon"),
        ]
    }

    fn has_cyrillic(text: &str) -> bool {
        text.chars().any(|c| matches!(c, 'А'..='я' | 'Ё' | 'ё'))
    }

    #[test]
    fn every_text_is_in_the_readers_language() {
        for text in every_text(Texts::new(Locale::En)) {
            assert!(!has_cyrillic(&text), "Russian in the English text {text:?}");
        }
        for text in every_text(Texts::new(Locale::Ru)) {
            assert!(
                has_cyrillic(&text),
                "the Russian text {text:?} is not Russian"
            );
        }
    }
}
