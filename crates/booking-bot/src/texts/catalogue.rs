//! Every text's defaults: (Russian, English) for each key, in one table.

use super::Key;

/// (Russian, English) for every key.
pub(super) const fn pair(key: Key) -> (&'static str, &'static str) {
    use Key as K;
    match key {
        K::ChooseLanguage => (
            "Здравствуйте, {name}! Выберите язык / Choose your language:",
            "Hello, {name}! Choose your language / Выберите язык:",
        ),
        K::Menu => (
            "{business}: чем можем помочь?",
            "{business}: how can we help?",
        ),
        K::Help => (
            "Запишитесь кнопкой «Записаться»: выберите услугу, мастера, день и время. \
             «Мои записи» покажут ваши визиты, там же их можно отменить.\n\
             Команды: /book — записаться, /my — мои записи, /phone — оставить телефон, \
             /language — язык, /start — меню.",
            "Press “Book” and choose a service, a staff member, a day and a time. \
             “My bookings” lists your visits and lets you cancel them.\n\
             Commands: /book to book, /my for your bookings, /phone to leave your phone number, \
             /language to change the language, /start for the menu.",
        ),
        K::AboutTitle => ("{business}\nУслуги:", "{business}\nServices:"),
        K::NotUnderstood => (
            "Не понимаю это сообщение. Пожалуйста, воспользуйтесь меню.",
            "Sorry, I did not understand that. Please use the menu.",
        ),
        K::BtnBook => ("📅 Записаться", "📅 Book"),
        K::BtnMyBookings => ("📋 Мои записи", "📋 My bookings"),
        K::BtnAbout => ("ℹ️ О нас", "ℹ️ About"),
        K::BtnHelp => ("❓ Помощь", "❓ Help"),
        K::BtnMenu => ("🏠 Меню", "🏠 Menu"),
        K::BtnBack => ("◀️ Назад", "◀️ Back"),
        K::BtnAnyStaff => ("Любой свободный мастер", "Anyone available"),
        K::BtnConfirm => ("✅ Подтвердить", "✅ Confirm"),
        K::BtnOtherTime => ("◀️ Другое время", "◀️ Another time"),
        K::BtnCancelBooking => ("❌ Отменить #{n}", "❌ Cancel #{n}"),
        K::BtnMoveBooking => ("🔄 Перенести #{n}", "🔄 Move #{n}"),
        K::BtnMove => ("✅ Перенести", "✅ Move"),
        K::BtnPast => ("🕘 Прошлые визиты", "🕘 Past visits"),
        K::BtnBookAgain => ("🔁 Снова #{n}", "🔁 Again #{n}"),
        K::PastTitle => ("Ваши прошлые визиты:", "Your past visits:"),
        K::NoPast => ("Прошлых визитов пока нет.", "No past visits yet."),
        K::PastLine => (
            "#{n} {service}, {date} {time}, мастер {staff} — {status}",
            "#{n} {service}, {date} {time} with {staff} — {status}",
        ),
        K::BtnYesCancel => ("✅ Да, отменить", "✅ Yes, cancel"),
        K::BtnNoKeep => ("Нет, оставить", "No, keep it"),
        K::ChooseService => ("Выберите услугу:", "Choose a service:"),
        K::NoServices => (
            "Сейчас нет доступных услуг.",
            "No services are available right now.",
        ),
        K::ChooseStaff => (
            "{service}\nВыберите мастера:",
            "{service}\nChoose a staff member:",
        ),
        K::ChooseDay => (
            "{service}\nВыберите день (можно нажать только дни со свободным временем):",
            "{service}\nChoose a day (only days with free time can be pressed):",
        ),
        K::ChooseNewDay => (
            "Перенос: {service}\nВыберите новый день (можно нажать только дни со свободным временем):",
            "Moving: {service}\nChoose a new day (only days with free time can be pressed):",
        ),
        K::NoDays => (
            "В этом месяце свободных дней нет.",
            "No free days this month.",
        ),
        K::ChooseTime => (
            "{service}, {date}\nВремя указано {zone}. {free}:",
            "{service}, {date}\nTimes are in {zone}. {free}:",
        ),
        K::NoTimes => (
            "На этот день свободного времени нет.",
            "There is no free time on this day.",
        ),
        K::ConfirmScreen => (
            "Проверьте запись:\n{service}, мастер {staff}\n{date} в {time} ({zone})\nСтоимость: {price}\n\
             Время держится за вами {hold}.",
            "Please check:\n{service} with {staff}\n{date} at {time} ({zone})\nPrice: {price}\n\
             The time is held for you for {hold}.",
        ),
        K::Booked => (
            "✅ Вы записаны!\n{service}, мастер {staff}\n{date} в {time} ({zone})",
            "✅ You are booked!\n{service} with {staff}\n{date} at {time} ({zone})",
        ),
        K::NearestTimes => ("Ближайшее свободное время:", "The nearest free times:"),
        K::MyBookingsTitle => ("У вас {count}:", "You have {count}:"),
        K::NoBookings => (
            "У вас нет предстоящих записей.",
            "You have no upcoming bookings.",
        ),
        K::BookingLine => (
            "#{n} {service}, {date} в {time}, мастер {staff}",
            "#{n} {service}, {date} at {time} with {staff}",
        ),
        K::CancelAsk => (
            "Отменить запись?\n{service}, {date} в {time}",
            "Cancel this booking?\n{service}, {date} at {time}",
        ),
        K::Cancelled => ("Запись отменена.", "The booking is cancelled."),
        K::MoveAsk => (
            "Перенести {service}\nс {old_date} {old_time}\nна {date} в {time} ({zone})?",
            "Move {service}\nfrom {old_date} {old_time}\nto {date} at {time} ({zone})?",
        ),
        K::Moved => (
            "✅ Запись перенесена: {service}, {date} в {time} ({zone})",
            "✅ Moved: {service}, {date} at {time} ({zone})",
        ),
        K::ButtonExpired => (
            "Эта кнопка устарела. Начните заново из меню: /start",
            "This button is out of date. Please start again from the menu: /start",
        ),
        K::ButtonOldVersion => (
            "Эта кнопка от прежней версии бота. Откройте меню заново: /start",
            "This button is from an earlier version of the bot. Please open the menu again: /start",
        ),
        K::ButtonGarbage => (
            "Неизвестная кнопка. Ничего не изменилось.",
            "Unknown button. Nothing has changed.",
        ),
        K::Unavailable => (
            "Извините, сервис временно недоступен. Попробуйте через минуту.",
            "Sorry, we are temporarily unavailable. Please try again in a minute.",
        ),
        K::SlowDown => (
            "Слишком много запросов. Подождите несколько секунд.",
            "Too many requests. Please wait a few seconds.",
        ),
        K::AskPhone => (
            "Если хотите, поделитесь номером телефона — мы позвоним, если планы изменятся.",
            "If you like, share your phone number so we can call you if plans change.",
        ),
        K::BtnSharePhone => ("📱 Поделиться номером", "📱 Share my phone number"),
        K::BtnSkipPhone => ("Пропустить", "Skip"),
        K::PhoneSaved => (
            "Спасибо, номер сохранён.",
            "Thank you, your number is saved.",
        ),
        K::PhoneSkipped => ("Хорошо, без номера.", "All right, no number."),
        K::PhoneNotOwn => (
            "Пожалуйста, поделитесь своим номером кнопкой ниже.",
            "Please share your own number with the button below.",
        ),
        K::AdminBooked => (
            "🔔 Новая запись ({by}): {service}, мастер {staff}, {date} {time}. Клиент: {customer}",
            "🔔 New booking ({by}): {service} with {staff}, {date} {time}. Customer: {customer}",
        ),
        K::AdminCancelled => (
            "❌ Запись отменена ({by}): {service}, мастер {staff}, {date} {time}. Клиент: {customer}",
            "❌ Booking cancelled ({by}): {service} with {staff}, {date} {time}. Customer: {customer}",
        ),
        K::AdminMoved => (
            "🔄 Запись перенесена ({by}): {service}, мастер {staff}, {old} → {date} {time}. Клиент: {customer}",
            "🔄 Booking moved ({by}): {service} with {staff}, {old} → {date} {time}. Customer: {customer}",
        ),
        K::AdminReleased => (
            "⌛ Запись снята автоматически — клиент не подтвердил визит: {service}, мастер {staff}, \
             {date} {time}. Клиент: {customer}",
            "⌛ Booking released automatically, the customer did not confirm the visit: {service} \
             with {staff}, {date} {time}. Customer: {customer}",
        ),
        K::AdminLowRating => (
            "⚠️ Низкая оценка — {rating} из 5: {service}, мастер {staff}, {date} {time}. \
             Клиент: {customer}",
            "⚠️ Low rating — {rating} of 5: {service} with {staff}, {date} {time}. \
             Customer: {customer}",
        ),
        K::RatingComment => ("Комментарий: «{comment}»", "Comment: “{comment}”"),
        K::NoRatingComment => ("Без комментария.", "No comment."),
        K::BtnOpenBooking => ("📋 Открыть запись", "📋 Open the booking"),
        K::ByCustomer => ("клиент", "by the customer"),
        K::ByAdmin => ("администратор", "by an admin"),
        K::ByApi => ("через сайт или API", "via the website or API"),
        K::BySystem => ("автоматически", "automatically"),
        K::NoticeBooked => (
            "✅ Вы записаны: {service}, мастер {staff}\n{date} в {time} ({zone}).",
            "✅ You are booked: {service} with {staff}\n{date} at {time} ({zone}).",
        ),
        K::NoticeMoved => (
            "🔁 Ваша запись перенесена: {service}, мастер {staff}\n{old} → {date} в {time} ({zone}).",
            "🔁 Your visit was moved: {service} with {staff}\n{old} → {date} at {time} ({zone}).",
        ),
        K::NoticeCancelled => (
            "❌ К сожалению, ваша запись отменена: {service}, {date} в {time}.",
            "❌ The business had to cancel your visit: {service}, {date} at {time}.",
        ),
        K::NoticeCancelledApology => (
            "😔 Извините: мастер не сможет работать в этот день, поэтому запись отменена: \
             {service}, {date} в {time}.",
            "😔 We are sorry: your master cannot work that day, so your visit is cancelled: \
             {service}, {date} at {time}.",
        ),
        K::NoticeReason => ("Причина: {reason}", "Reason: {reason}"),
        K::NoticeNearest => (
            "Ближайшее свободное время — запись в одно нажатие:",
            "Nearest free times, one press to rebook:",
        ),
        K::NoticeOtherDay => ("Выберите другой день:", "Choose another day:"),
        K::CmdStart => ("Главное меню", "Main menu"),
        K::CmdBook => ("Записаться", "Book a visit"),
        K::CmdMy => ("Мои записи", "My bookings"),
        K::CmdAbout => ("О нас", "About us"),
        K::CmdHelp => ("Помощь", "Help"),
        K::CmdLanguage => ("Язык", "Language"),
        K::CmdPhone => ("Указать телефон", "Share your phone number"),
        K::Reminder => (
            "⏰ Напоминание: {service}, мастер {staff}\n{date} в {time} ({zone}). Ждём вас! \
             Подтвердите, пожалуйста, визит.",
            "⏰ Reminder: {service} with {staff}\n{date} at {time} ({zone}). See you! \
             Please confirm your visit.",
        ),
        K::ReminderConfirmed => (
            "⏰ {service}, мастер {staff}\n{date} в {time} ({zone})\n✅ Визит подтверждён.",
            "⏰ {service} with {staff}\n{date} at {time} ({zone})\n✅ Visit confirmed.",
        ),
        K::BtnConfirmVisit => ("✅ Приду", "✅ I'll be there"),
        K::BtnRescheduleVisit => ("🔄 Перенести", "🔄 Reschedule"),
        K::BtnCancelVisit => ("❌ Отменить", "❌ Cancel"),
        K::VisitConfirmed => ("Спасибо, ждём вас!", "Thank you, see you then!"),
        K::Released => (
            "Запись {service} на {date} {time} снята, потому что визит не был подтверждён. \
             Запишитесь снова, если планы не изменились: /book",
            "Your booking for {service} on {date} at {time} was released because the visit was \
             not confirmed. Book again if your plans have not changed: /book",
        ),
        K::FollowUp => (
            "Как прошёл визит ({service}, {date})? Оцените, пожалуйста, от 1 до 5:",
            "How was your visit ({service}, {date})? Please rate it from 1 to 5:",
        ),
        K::RatingThanks => (
            "Спасибо за оценку {rating}! Если хотите, напишите отзыв одним сообщением.",
            "Thank you for rating us {rating}! If you like, write a comment in one message.",
        ),
        K::BtnNoComment => ("Без отзыва", "No comment"),
        K::CommentSaved => ("Спасибо за отзыв!", "Thank you for your comment!"),
        K::WaitlistHint => (
            "Дни с 🔔 заняты: нажмите, чтобы встать в лист ожидания.",
            "Days with 🔔 are full: press one to join its waitlist.",
        ),
        K::WaitlistAsk => (
            "{service}, {date}: свободного времени нет. Встать в лист ожидания? \
             Мы напишем, если время освободится.",
            "{service}, {date}: there is no free time. Join the waitlist? \
             We will message you if time frees up.",
        ),
        K::BtnJoinWaitlist => ("🔔 Встать в лист ожидания", "🔔 Join the waitlist"),
        K::WaitlistJoined => (
            "Вы в листе ожидания на {date}. Как только время освободится, мы напишем.",
            "You are on the waitlist for {date}. We will message you as soon as time frees up.",
        ),
        K::WaitlistOffer => (
            "🔔 Освободилось время: {service}, {date} ({zone}). Кто первым нажмёт, того и запишем:",
            "🔔 Time has freed up: {service}, {date} ({zone}). The first to press gets it:",
        ),
        K::LinkUnknown => (
            "Эта ссылка устарела или неполна — вот наше меню.",
            "This link is out of date or incomplete — here is our menu.",
        ),
        K::AboutAddress => ("📍 Адрес: {address}", "📍 Address: {address}"),
        K::AboutContacts => ("📞 Контакты: {contacts}", "📞 Contacts: {contacts}"),
        K::AboutHours => ("🕘 Часы работы:", "🕘 Opening hours:"),
        K::DayOff => ("выходной", "closed"),
        K::RejSlotTaken => (
            "Это время только что заняли.",
            "This time has just been taken.",
        ),
        K::RejInThePast => ("Это время уже прошло.", "This time is in the past."),
        K::RejTooSoon => (
            "Записаться можно не позднее чем за {notice} до визита.",
            "Bookings need at least {notice} notice.",
        ),
        K::RejBeyondHorizon => (
            "Записаться можно не дальше чем на {days} вперёд.",
            "Bookings can be made at most {days} ahead.",
        ),
        K::RejOutsideHours => (
            "Это время вне рабочих часов.",
            "This time is outside working hours.",
        ),
        K::RejBlocked => ("Это время закрыто.", "This time is blocked."),
        K::RejLimit => (
            "У вас уже {count} — это максимум. Отмените одну, чтобы записаться снова.",
            "You already have {count}, the most allowed. Cancel one to book again.",
        ),
        K::RejCancelCutoff => (
            "Отменить запись можно не позднее чем за {cutoff} до визита. Свяжитесь с нами.",
            "Bookings can be cancelled up to {cutoff} before the visit. Please contact us.",
        ),
        K::RejRescheduleCutoff => (
            "Перенести запись можно не позднее чем за {cutoff} до визита.",
            "Bookings can be moved up to {cutoff} before the visit.",
        ),
        K::RejNotFound => ("Такой записи нет.", "There is no such booking."),
        K::RejNotChangeable => (
            "Эту запись уже нельзя изменить.",
            "This booking can no longer be changed.",
        ),
        K::RejServiceUnavailable => (
            "Эта услуга сейчас недоступна.",
            "This service is not available.",
        ),
        K::RejStaffUnavailable => (
            "Этот мастер не оказывает эту услугу.",
            "This staff member does not give this service.",
        ),
        K::RejClassFull => (
            "В группе не осталось свободных мест.",
            "This class is full: every seat is taken.",
        ),
        K::RejAlreadyInClass => (
            "Вы уже записаны на это занятие.",
            "You already have a seat in this class.",
        ),
        K::RejSeatNotMovable => (
            "Место в группе нельзя перенести: отмените запись и выберите другое занятие.",
            "A seat in a class cannot be moved: cancel it and book another class.",
        ),
        K::SeatsLeft => ("{time} — свободно {seats}", "{time}: {seats} left"),
        K::WaitlistOfferGone => (
            "Это предложение больше не действует.",
            "This offer is no longer valid.",
        ),
        K::MyWaitlistTitle => ("🔔 Вы в листе ожидания:", "🔔 You are on the waitlist:"),
        K::MyWaitlistLine => (
            "🔔{n} {service}, {date}, мастер {staff}",
            "🔔{n} {service}, {date} with {staff}",
        ),
        K::MyWaitlistLineAnyone => (
            "🔔{n} {service}, {date}, любой мастер",
            "🔔{n} {service}, {date} with anyone",
        ),
        K::BtnLeaveWaitlist => ("🔕 Не ждать 🔔{n}", "🔕 Stop waiting 🔔{n}"),
        K::WaitlistLeft => (
            "Вы больше не в листе ожидания на {date}.",
            "You are no longer on the waitlist for {date}.",
        ),
        K::WaitlistLeaveGone => (
            "Этой записи в листе ожидания уже нет.",
            "You are not waiting for this day any more.",
        ),
        K::CalendarFileCaption => (
            "📅 Откройте файл, чтобы добавить визит в свой календарь.",
            "📅 Open the file to add the visit to your calendar.",
        ),
        K::CalendarFileStaff => ("Мастер: {staff}", "With {staff}"),
        K::BtnAddToCalendar => ("📅 Добавить в календарь", "📅 Add to calendar"),
        K::AgainTimes => (
            "{service}, мастер {staff} — снова? Ближайшее время, похожее на прошлый визит \
             (часовой пояс {zone}):",
            "{service} with {staff} again? The nearest times like your last visit \
             (times in {zone}):",
        ),
        K::BtnAgain => ("🔁 Записаться снова", "🔁 Book again"),
        K::Nudge => (
            "Пора снова на «{service}»? Прошлый визит к мастеру {staff} был {date}.",
            "Time for your next {service}? Your last visit with {staff} was on {date}.",
        ),
        K::WinBackNoShow => (
            "Жаль, что не получилось прийти на «{service}» {date}. Записаться к мастеру {staff} \
             на другое время?",
            "Sorry we missed you at {service} on {date}. Would you like another time with \
             {staff}?",
        ),
        K::WinBackCancelled => (
            "Вы отменили запись на «{service}» {date}. Подобрать другое время у мастера {staff}?",
            "You cancelled {service} on {date}. Shall we find another time with {staff}?",
        ),
        K::RepeatTimes => (
            "Ближайшее свободное время (часовой пояс {zone}):",
            "The nearest free times ({zone}):",
        ),
        K::RepeatNoTimes => (
            "В ближайшие недели свободного времени нет — выберите день в календаре.",
            "There is no free time in the coming weeks: choose a day in the calendar.",
        ),
        K::BtnNotNow => ("Не сейчас", "Not now"),
        K::BtnStopRepeat => ("🔕 Больше не присылать", "🔕 Stop these messages"),
        K::RepeatNotNowDone => (
            "Хорошо! Когда будете готовы, нажмите «Записаться» в меню.",
            "All right! Whenever you are ready, press “Book” in the menu.",
        ),
        K::RepeatStopped => (
            "Больше не будем присылать такие предложения. Записаться можно в любой момент через меню.",
            "We will not send these suggestions any more. You can book any time from the menu.",
        ),
        K::BtnRepeatSeries => ("🔁 Повторять", "🔁 Repeat"),
        K::SeriesEvery => (
            "Повторять этот визит — как часто?",
            "Repeat this visit: how often?",
        ),
        K::BtnEveryWeek => ("Каждую неделю", "Every week"),
        K::BtnEveryTwoWeeks => ("Раз в две недели", "Every two weeks"),
        K::EveryWeek => ("каждую неделю", "every week"),
        K::EveryTwoWeeks => ("раз в две недели", "every two weeks"),
        K::SeriesTimes => (
            "Повторять {every}. Сколько визитов всего, считая этот?",
            "Repeat {every}. How many visits in all, this one included?",
        ),
        K::SeriesPlan => (
            "{service}, мастер {staff}: {every}, {count}. Время указано {zone}.",
            "{service} with {staff}: {every}, {count}. Times are in {zone}.",
        ),
        K::SeriesLineFree => ("{n}. {when} — свободно", "{n}. {when}: free"),
        K::SeriesLineTaken => (
            "{n}. {when} — не получится. {why}",
            "{n}. {when}: not possible. {why}",
        ),
        K::SeriesNothingNear => ("Рядом свободного времени нет.", "Nothing free nearby."),
        K::SeriesLineInstead => (
            "{n}. {when} — не получится. {why} Ближайшее свободное: {instead}",
            "{n}. {when}: not possible. {why} Nearest free time: {instead}",
        ),
        K::SeriesAllFree => (
            "Всё это время свободно. Записать?",
            "All of these times are free. Book them?",
        ),
        K::SeriesSomeTaken => (
            "Часть дат не подходит: можно записаться только на свободные или взять \
             ближайшее время взамен. Пока вы не подтвердите, ничего не записано.",
            "Some dates do not work: book only the free ones, or take the nearest free \
             times instead. Nothing is booked until you confirm.",
        ),
        K::BtnSeriesAll => ("✅ Записаться на все ({n})", "✅ Book all ({n})"),
        K::BtnSeriesFree => ("✅ Только свободные ({n})", "✅ Only the free ones ({n})"),
        K::BtnSeriesInstead => (
            "✅ Со временем взамен ({n})",
            "✅ With the times instead ({n})",
        ),
        K::SeriesChanged => (
            "Пока вы выбирали, часть времени успели занять, поэтому ничего не записано. \
             Вот свежий список:",
            "While you were choosing, some of these times were taken, so nothing was \
             booked. Here is the fresh list:",
        ),
        K::SeriesBooked => (
            "Готово! Вы записаны на «{service}» к мастеру {staff}, {count}. Время указано {zone}:",
            "Done! You are booked for {service} with {staff}, {count}. Times are in {zone}:",
        ),
        K::SeriesCancelNote => (
            "Эта запись — часть серии, после неё в серии ещё {count}.",
            "This booking is part of a series, with {count} more after it.",
        ),
        K::BtnCancelOne => ("Отменить только эту", "Cancel this one"),
        K::BtnCancelRest => (
            "Отменить эту и следующие ({n})",
            "Cancel this and the rest ({n})",
        ),
        K::SeriesCancelled => ("Отменено: {count}.", "Cancelled: {count}."),
        K::PayAsk => (
            "{service}, мастер {staff}\n{date} в {time} ({zone})\n{what}: {amount}\n\
             Время держим {hold} — оплатите, и запись подтвердится.",
            "{service} with {staff}\n{date} at {time} ({zone})\n{what}: {amount}\n\
             We hold the time for {hold}: pay, and your booking is confirmed.",
        ),
        K::PayDeposit => ("Предоплата", "Deposit"),
        K::PayFull => ("Оплата", "Payment"),
        K::ConfirmPayNote => (
            "{what} {amount} вносится здесь, в Telegram, после «Подтвердить».",
            "{what}: {amount}, paid here in Telegram after “Confirm”.",
        ),
        K::InvoiceDescription => (
            "{date} в {time} ({zone}), мастер {staff}",
            "{date} at {time} ({zone}) with {staff}",
        ),
        K::PayUnknown => (
            "Этот счёт не найден. Пожалуйста, запишитесь заново через меню бота.",
            "This invoice is not known. Please book again from the bot's menu.",
        ),
        K::PayWrongSum => (
            "Сумма не совпадает со счётом. Пожалуйста, запишитесь заново через меню бота.",
            "The amount does not match the invoice. Please book again from the bot's menu.",
        ),
        K::PayAlreadyPaid => (
            "Этот счёт уже оплачен, запись подтверждена.",
            "This invoice is already paid and the booking is confirmed.",
        ),
        K::PayReplaced => (
            "Этот счёт больше не действует. Пожалуйста, выберите время заново через меню бота.",
            "This invoice is no longer valid. Please choose a time again from the bot's menu.",
        ),
        K::PayTaken => (
            "Пока вы оплачивали, это время заняли. Ближайшее свободное: {times}. \
             Выберите его в меню бота.",
            "This time was taken meanwhile. The nearest free times: {times}. \
             Choose one from the bot's menu.",
        ),
        K::PayTakenNoTimes => (
            "Пока вы оплачивали, это время заняли, а в ближайшие дни свободного времени нет.",
            "This time was taken meanwhile, and there is no free time in the next few days.",
        ),
        K::PaidBooked => (
            "✅ Оплачено {amount} · Запись подтверждена\n{service}, мастер {staff}\n\
             {date} в {time} ({zone})",
            "✅ Paid {amount} · You are booked\n{service} with {staff}\n\
             {date} at {time} ({zone})",
        ),
        K::PaidLate => (
            "Оплата {amount} пришла, когда это время уже заняли, поэтому запись не создана. \
             Деньги вернём.",
            "Your payment of {amount} arrived after this time was taken, so no booking was \
             made. The money will be returned.",
        ),
        K::PaidTwice => (
            "Эта запись уже оплачена. Второй платёж {amount} вернём.",
            "This booking was already paid for. The second payment of {amount} will be returned.",
        ),
        K::RefundToCard => (
            "Предоплата {sum} вернётся на карту в течение нескольких дней.",
            "Your prepayment of {sum} will be back on your card within a few days.",
        ),
        K::RefundByHand => (
            "Предоплату {sum} салон вернёт вам напрямую, с вами свяжутся.",
            "The business will return your prepayment of {sum} and will be in touch.",
        ),
        K::RefundPartToCard => (
            "По правилам салона при отмене позже чем за {cutoff} из предоплаты {paid} \
             остаётся {kept}, а {sum} вернётся на карту в течение нескольких дней.",
            "Under the business's rules, {kept} of your prepayment of {paid} is kept when a \
             visit is cancelled less than {cutoff} ahead; {sum} will be back on your card within \
             a few days.",
        ),
        K::RefundPartByHand => (
            "По правилам салона при отмене позже чем за {cutoff} из предоплаты {paid} \
             остаётся {kept}, а {sum} салон вернёт вам напрямую, с вами свяжутся.",
            "Under the business's rules, {kept} of your prepayment of {paid} is kept when a \
             visit is cancelled less than {cutoff} ahead; the business will return {sum} and \
             will be in touch.",
        ),
        K::RefundKept => (
            "По правилам салона предоплата {sum} не возвращается при отмене позже чем за {cutoff}.",
            "Under the business's rules, the prepayment of {sum} is not returned when a visit is \
             cancelled less than {cutoff} ahead.",
        ),
        K::RefundOwnerDecides => (
            "Вернуть ли предоплату {sum}, решит салон.",
            "Whether your prepayment of {sum} is returned is up to the business.",
        ),
        K::RefundMade => (
            "↩️ Предоплата {sum} за визит «{service}» {date} возвращена. \
             На карту деньги придут в течение нескольких дней.",
            "↩️ Your prepayment of {sum} for {service} on {date} has been returned. \
             It will reach your card within a few days.",
        ),
        K::CancelLateKeeps => (
            "До визита меньше {cutoff}: по правилам салона из предоплаты {paid} не вернётся {kept}.",
            "The visit is less than {cutoff} away: under the business's rules, {kept} of your \
             prepayment of {paid} will not be returned.",
        ),
    }
}
