//! Secrets never show in `Debug`: the configuration and the running bot's shared state hold
//! the bot's token, the data key, YooKassa's secret key and Redis URLs with passwords.

use secrecy::{ExposeSecret as _, SecretString};

use crate::support::Harness;

#[tokio::test]
async fn the_configuration_and_the_services_print_no_secret() {
    let h = Harness::start_with(|c| {
        c.redis_url = SecretString::from("redis://booking_sales:redis-pw-1@127.0.0.1:6379");
        c.redis_admin_url = Some(SecretString::from(
            "redis://default:admin-pw-2@127.0.0.1:6379",
        ));
    })
    .await;
    let token = h.bot.token.as_str().to_owned();
    let secret_part = token.split_once(':').unwrap().1.to_owned();
    let config = format!("{:?}", h.config);
    let sales = format!("{:?}", h.sales);
    for shown in [&config, &sales] {
        for secret in [
            secret_part.as_str(),
            h.config.data_key.expose_secret(),
            "redis-pw-1",
            "admin-pw-2",
            crate::support::SECRET,
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }
}
