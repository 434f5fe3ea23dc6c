//! The booking bot end to end: the real dispatcher over long polling against an in-process
//! tg-sandbox, a fresh PostgreSQL database per test (the bot logs in as the tenant's role) and
//! the local Redis.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests

mod admin_admins;
mod admin_analytics;
mod admin_availability;
mod admin_broadcast;
mod admin_catalogue;
mod admin_exports;
mod admin_feedback;
mod admin_language;
mod admin_payments;
mod admin_preview;
mod admin_rebook;
mod admin_roles;
mod admin_schedule;
mod admin_series;
mod admin_support;
mod admin_texts;
mod admins;
mod again;
mod blocked;
mod booking;
mod brought_back;
mod calendar_feeds;
mod cancel;
mod classes;
mod currency;
mod deep_links;
mod dialogues;
mod forged;
mod held_config;
mod host;
mod outage;
mod past;
mod prepay;
mod rate_limit;
mod refunds;
mod reminders;
mod repeat_messages;
mod reschedule;
mod restart;
mod series;
mod setup;
mod start;
mod support;
mod texts;
mod waitlist;
mod waitlist_screens;
