//! The menu: welcome, how it works, plans, the demo bot, the trial's first step.

use storage::control::{plans, trials};

use bot_kit::Reply;

use super::{
    callback::{Button, Menu},
    keyboards,
    state::{Purchase, Step},
};
use crate::{app::Sales, error::SalesError, money::Money, texts::Texts};

pub fn welcome(t: Texts) -> Reply {
    Reply::message(t.welcome()).keyboard(keyboards::main_menu(t))
}

/// A menu entry; the step to move to, if it starts a question.
pub async fn open(
    sales: &Sales,
    t: Texts,
    user: i64,
    menu: Menu,
) -> Result<(Reply, Option<Step>), SalesError> {
    Ok(match menu {
        Menu::Main => (welcome(t), Some(Step::Idle)),
        Menu::About => (
            Reply::message(t.about(sales.trial_days)).keyboard(keyboards::back(t)),
            None,
        ),
        Menu::Plans => (plans_screen(sales, t).await?, None),
        Menu::Demo => match sales.demo_bot_url.as_deref().and_then(|u| u.parse().ok()) {
            Some(url) => (
                Reply::message(t.demo()).keyboard(keyboards::link(
                    t,
                    t.btn_demo(),
                    url,
                    Some(Button::Menu(Menu::Main)),
                )),
                None,
            ),
            None => (
                Reply::message(t.no_demo()).keyboard(keyboards::back(t)),
                None,
            ),
        },
        Menu::Trial => {
            if trials::used(sales.db.pool(), user).await? {
                (trial_used(sales, t).await?, None)
            } else if trial_plan(sales).await?.is_none() {
                // Said now, not after the buyer has typed a name, a zone and a token.
                (
                    Reply::message(t.trial_unavailable()).keyboard(keyboards::back(t)),
                    None,
                )
            } else {
                (
                    Reply::message(t.ask_name()).keyboard(keyboards::cancel(t)),
                    Some(Step::Name {
                        purchase: Purchase::Trial,
                    }),
                )
            }
        }
    })
}

/// The plan a free trial is of: the cheapest one on sale. `None` when nothing is on sale, so
/// there is nothing to try.
pub async fn trial_plan(sales: &Sales) -> Result<Option<plans::Plan>, SalesError> {
    Ok(plans::list(sales.db.pool(), false)
        .await?
        .into_iter()
        .min_by_key(|p| p.price_minor))
}

/// The plans on sale, under "this account has had its free trial already".
pub async fn trial_used(sales: &Sales, t: Texts) -> Result<Reply, SalesError> {
    let mut reply = plans_screen(sales, t).await?;
    if let Some(screen) = &mut reply.screen {
        screen.text = format!("{}\n\n{}", t.trial_used(), screen.text);
    }
    Ok(reply)
}

/// The plans on sale, with a buy button each (none when payments are off).
pub async fn plans_screen(sales: &Sales, t: Texts) -> Result<Reply, SalesError> {
    let mut plans = plans::list(sales.db.pool(), false).await?;
    // Shortest first, then cheapest: the order a buyer compares them in, whatever order
    // operators put them on sale in.
    plans.sort_by_key(|p| (p.period_days, p.price_minor));
    let lines: Vec<(String, Money, i32)> = plans
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                Money::new(p.price_minor, &p.currency),
                p.period_days,
            )
        })
        .collect();
    let mut text = t.plans(&lines);
    if sales.payments.is_none() {
        text.push_str("\n\n");
        text.push_str(&t.payments_off());
        return Ok(Reply::message(text).keyboard(keyboards::back(t)));
    }
    let buttons = plans
        .iter()
        .zip(&lines)
        .map(|(p, (name, price, _))| (t.btn_buy(name, price), Button::Buy(p.id)))
        .collect();
    Ok(Reply::message(text).keyboard(keyboards::plans(t, buttons)))
}
