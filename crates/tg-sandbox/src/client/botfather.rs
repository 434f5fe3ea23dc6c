//! Making a bot the way @BotFather does.

use super::{ClientError, SandboxClient};
use crate::api_types::{BotFatherRequest, BotInfo};

impl SandboxClient {
    /// Makes a bot as @BotFather's /newbot does: `username` must follow Telegram's rules (5-32
    /// Latin letters, digits or underscores, starting with a letter, ending in "bot", not taken),
    /// or the sandbox answers 400 (409 when taken) with BotFather's reason.
    pub async fn botfather_new_bot(
        &self,
        name: &str,
        username: &str,
    ) -> Result<BotInfo, ClientError> {
        let req = BotFatherRequest {
            name: name.to_owned(),
            username: username.to_owned(),
        };
        self.post(self.url(&["sandbox", "botfather", "newbot"])?, &req)
            .await
    }
}
