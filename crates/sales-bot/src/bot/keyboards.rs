//! Inline keyboards.

use reqwest::Url;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::{
    callback::{Button, Menu},
    zones,
};
use crate::texts::Texts;

fn button(label: String, data: Button) -> InlineKeyboardButton {
    bot_kit::callback::button(label, &data)
}

pub fn main_menu(t: Texts) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([
        vec![button(t.btn_plans(), Button::Menu(Menu::Plans))],
        vec![button(t.btn_trial(), Button::Menu(Menu::Trial))],
        vec![
            button(t.btn_demo(), Button::Menu(Menu::Demo)),
            button(t.btn_about(), Button::Menu(Menu::About)),
        ],
    ])
}

pub fn back(t: Texts) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([[button(t.btn_back(), Button::Menu(Menu::Main))]])
}

pub fn cancel(t: Texts) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([[button(t.btn_cancel(), Button::Cancel)]])
}

/// One "buy" button per plan, then back.
pub fn plans(t: Texts, rows: Vec<(String, Button)>) -> InlineKeyboardMarkup {
    let mut keyboard: Vec<Vec<InlineKeyboardButton>> = rows
        .into_iter()
        .map(|(label, data)| vec![button(label, data)])
        .collect();
    keyboard.push(vec![button(t.btn_back(), Button::Menu(Menu::Main))]);
    InlineKeyboardMarkup::new(keyboard)
}

/// The offered zones, two per row, then cancel.
pub fn zones(t: Texts) -> InlineKeyboardMarkup {
    let mut rows: Vec<Vec<InlineKeyboardButton>> = zones::OFFERED
        .iter()
        .enumerate()
        .filter_map(|(i, (_, label))| {
            Some(button(
                (*label).to_owned(),
                Button::Zone(u8::try_from(i).ok()?),
            ))
        })
        .collect::<Vec<_>>()
        .chunks(2)
        .map(<[InlineKeyboardButton]>::to_vec)
        .collect();
    rows.push(vec![button(t.btn_cancel(), Button::Cancel)]);
    InlineKeyboardMarkup::new(rows)
}

/// A link button (demo bot, payment page), with a back button under it.
pub fn link(t: Texts, label: String, url: Url, below: Option<Button>) -> InlineKeyboardMarkup {
    let mut rows = vec![vec![InlineKeyboardButton::url(label, url)]];
    if let Some(data) = below {
        let label = match data {
            Button::Check(_) => t.btn_check(),
            _ => t.btn_back(),
        };
        rows.push(vec![button(label, data)]);
    }
    InlineKeyboardMarkup::new(rows)
}

/// Only the "check payment" button (when the payment page is not known yet).
pub fn check(t: Texts, data: Button) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([[button(t.btn_check(), data)]])
}
