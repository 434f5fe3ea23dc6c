//! A sandbox, a small bot made of bot-kit's pieces, and a handle to stop it.

use std::time::Duration;

use bot_kit::{
    Gate, LongPolling, Reply, Sender, TgBot, TokenRejected, TokenSource,
    callback::button,
    middleware::gate,
    send::{answer_message, answer_press},
};
use telemetry::Shutdown;
use teloxide::{
    RequestError,
    dispatching::{UpdateFilterExt as _, UpdateHandler},
    dptree,
    types::{CallbackQuery, InlineKeyboardMarkup, Message, Update},
};
use tg_sandbox::{BotToken, Chat, NewUser, SandboxClient, SandboxHandle};
use tokio::{net::TcpListener, task::JoinHandle};

pub const TOKEN_SOURCE: TokenSource = TokenSource::var("DEMO_BOT_TOKEN");

pub use tg_sandbox::chat::test_sandbox as sandbox;

pub fn bot(client: &SandboxClient, token: &BotToken) -> TgBot {
    bot_kit::bot::throttled(
        &secrecy::SecretString::from(token.as_str().to_owned()),
        client.api_url(),
    )
}

/// The demo bot: an echo, a menu whose buttons show every kind of reply, a panic on "boom",
/// and a gate that refuses anyone called Mallory.
pub fn tree() -> UpdateHandler<RequestError> {
    dptree::entry()
        .filter_map(Sender::of)
        .map(|sender: Sender| {
            if sender.0.first_name == "Mallory" {
                Gate::Stop(Reply::alert("Not for you."))
            } else {
                Gate::Pass
            }
        })
        .chain(gate())
        .branch(Update::filter_message().endpoint(on_message))
        .branch(Update::filter_callback_query().endpoint(on_press))
}

pub fn menu() -> Reply {
    Reply::screen(
        "Menu",
        InlineKeyboardMarkup::new([
            vec![
                button("Refresh", &"t:refresh"),
                button("Careful", &"t:alert"),
            ],
            vec![button("Below", &"t:below"), button("Crash", &"t:boom")],
        ]),
    )
}

async fn on_message(bot: TgBot, msg: Message) -> Result<(), RequestError> {
    let reply = match msg.text().unwrap_or_default() {
        "boom" => panic!("a handler panics on purpose"),
        "/menu" => menu(),
        "/files" => Reply::text("Your files")
            .with_toast("Here they come")
            .file(bot_kit::Attachment::Document {
                name: "report.csv".into(),
                bytes: b"a,b\n1,2\n".to_vec(),
                caption: "The report".into(),
            })
            .file(bot_kit::Attachment::Photo {
                name: "chart.png".into(),
                bytes: PNG.to_vec(),
                caption: "The chart".into(),
            }),
        other => Reply::text(format!("echo: {other}")),
    };
    answer_message(&bot, msg.chat.id, reply).await
}

async fn on_press(bot: TgBot, q: CallbackQuery) -> Result<(), RequestError> {
    let reply = match q.data.as_deref().unwrap_or_default() {
        "t:refresh" => menu().with_toast("Fresh"),
        "t:alert" => Reply::alert("Careful!"),
        "t:below" => Reply::message("Below the menu")
            .keyboard(InlineKeyboardMarkup::new([[button("Back", &"t:refresh")]])),
        "t:boom" => panic!("a press panics on purpose"),
        _ => Reply::nothing(),
    };
    answer_press(&bot, &q, reply).await
}

/// A 1x1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

/// The demo bot on a sandbox of its own, and the people who write to it.
pub struct Demo {
    pub client: SandboxClient,
    token: BotToken,
    running: Running,
    /// Last, so the bot stops before its Bot API does.
    _sandbox: SandboxHandle,
}

impl Demo {
    pub async fn start(username: &str) -> Self {
        let sandbox = sandbox().await;
        let client = sandbox.client();
        let info = client.create_bot(username).await.unwrap();
        let running = Running::start(bot(&client, &info.token));
        Self {
            client,
            token: info.token,
            running,
            _sandbox: sandbox,
        }
    }

    /// A new user called `name` who reads `language`, in their chat with the bot.
    pub async fn person(&self, name: &str, language: &str) -> Chat {
        let user = self
            .client
            .create_user(NewUser::named(name).language(language))
            .await
            .unwrap();
        Chat::new(&self.client, &self.token, &user)
    }

    /// Stops the bot; it must end cleanly and in time.
    pub async fn stop(self) {
        self.running.stop.trigger();
        let ended = self.running.ended_within(Duration::from_secs(5)).await;
        assert!(matches!(ended, Some(Ok(()))), "{ended:?}");
    }
}

/// The demo bot polling until its stop.
pub struct Running {
    pub stop: Shutdown,
    task: JoinHandle<Result<(), TokenRejected>>,
}

impl Running {
    pub fn start(bot: TgBot) -> Self {
        let stop = Shutdown::new();
        let task = tokio::spawn(LongPolling::new(bot, TOKEN_SOURCE, tree()).run(stop.clone()));
        Self { stop, task }
    }

    /// How the supervisor ended, if it did within `bound`.
    pub async fn ended_within(self, bound: Duration) -> Option<Result<(), TokenRejected>> {
        tokio::time::timeout(bound, self.task)
            .await
            .ok()
            .map(Result::unwrap)
    }
}

/// Something listening on `addr` that accepts connections and never answers: a Bot API that
/// hangs (a stuck proxy, a half-dead network) rather than refusing.
pub async fn black_hole(addr: std::net::SocketAddr) -> JoinHandle<()> {
    let listener = TcpListener::bind(addr).await.unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    })
}

/// A TCP relay to the Bot API that can be cut (every connection dropped, new ones refused)
/// and restored on the same address: an outage of the network, with the Bot API's state kept.
pub struct Relay {
    pub addr: std::net::SocketAddr,
    target: std::net::SocketAddr,
    task: Option<JoinHandle<()>>,
}

impl Relay {
    pub async fn to(target: std::net::SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut relay = Self {
            addr,
            target,
            task: None,
        };
        relay.serve(listener);
        relay
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    fn serve(&mut self, listener: TcpListener) {
        let target = self.target;
        self.task = Some(tokio::spawn(async move {
            // Dropped with the task, and every connection with it.
            let mut connections = tokio::task::JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                connections.spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        }));
    }

    pub fn cut(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }

    pub async fn restore(&mut self) {
        self.serve(TcpListener::bind(self.addr).await.unwrap());
    }
}
