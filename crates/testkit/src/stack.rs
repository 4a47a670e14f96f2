//! The stack under test: the demo simulators plus the real proxy, configured the way
//! `cargo xtask serve` configures it (from [`DemoStack::proxy_env`]), each test free to tweak
//! the [`Config`] before the proxy starts. The proxy listens on a free port (for a browser)
//! and its [`Router`] is at hand for `oneshot` requests; both share one state.

use axum::Router;
use pilot_portal_proxy::config::Config;
use pilot_portal_proxy::db::tokens::{NewBinding, Purpose};
use pilot_portal_proxy::{app, serve, AppState};
use pilot_portal_sim::demo::{DemoOptions, DemoStack};
use pilot_portal_sim::token_api::Minted;
use std::net::{Ipv4Addr, SocketAddr};
use tokio::sync::oneshot;

/// What to start.
#[derive(Debug, Clone, Default)]
pub struct StackOptions {
    /// The simulators (`Default`: all of them and the broker, on free ports).
    pub demo: DemoOptions,
}

/// A running stack; the proxy stops when it is dropped.
pub struct Stack {
    /// The simulators, with their handles (fault switches, minted tokens, …).
    pub demo: DemoStack,
    /// The proxy's configuration, as started (the demo settings, then the tweaks).
    pub config: Config,
    /// The proxy itself, for `oneshot` requests (the same state as the listening one).
    pub router: Router,
    pub addr: SocketAddr,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// Holds the SQLite database.
    pub dir: tempfile::TempDir,
    _stop: oneshot::Sender<()>,
}

impl std::ops::Deref for Stack {
    type Target = DemoStack;

    fn deref(&self) -> &DemoStack {
        &self.demo
    }
}

/// Tokens the tests mint on the simulator stand for tokens a pilot got through this proxy
/// (Pilot 2 only ever holds such tokens), so each is bound in the proxy's database as the
/// proxy binds what it obtains. `TokenApi::mint_unbound` makes one the proxy never saw.
fn bind_minted_tokens(demo: &DemoStack, database_url: &str) {
    let url = database_url.to_owned();
    demo.token_api
        .api
        .on_mint(std::sync::Arc::new(move |minted: &Minted| {
            let (url, minted) = (url.clone(), minted.clone());
            // `mint` is synchronous and may run inside any runtime (or none): a thread of its
            // own with its own runtime writes the row before `mint` returns.
            let written = std::thread::spawn(move || -> anyhow::Result<()> {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?
                    .block_on(async {
                        let db = pilot_portal_proxy::db::Db::connect(&url).await?;
                        let hash = pilot_portal_proxy::identity::token_hash(&minted.token);
                        let binding = NewBinding {
                            token_hash: &hash,
                            token_id: &minted.id,
                            user: &minted.user,
                            name: minted.name.as_deref().unwrap_or("minted"),
                            controller_sn: None,
                            issued_at: minted.issued_at_ms,
                            expires_at: minted.expires_at_ms,
                            purpose: Purpose::Session,
                        };
                        db.bind_token(&binding, pilot_portal_sim::token_api::now_ms())
                            .await?;
                        anyhow::Ok(())
                    })
            })
            .join();
            match written {
                Ok(Ok(())) => {}
                Ok(Err(e)) => panic!("binding a minted token: {e:#}"),
                Err(_) => panic!("binding a minted token: the thread panicked"),
            }
        }));
}

impl Stack {
    /// The demo stack with the proxy as `cargo xtask serve` runs it, on a temporary SQLite
    /// database.
    pub async fn start(options: StackOptions) -> anyhow::Result<Stack> {
        Self::start_with(options, |_| {}).await
    }

    /// [`Stack::start`], with `tweak` applied to the proxy's config last (a dead upstream, a
    /// wrong key, another database, …).
    pub async fn start_with(
        options: StackOptions,
        tweak: impl FnOnce(&mut Config),
    ) -> anyhow::Result<Stack> {
        let demo = DemoStack::start(options.demo).await?;
        let dir = tempfile::tempdir()?;
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let mut config = Config::from_env_pairs(demo.proxy_env())?;
        // XAG's callback defaults to this address
        config.listen = addr;
        config.database_url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("pilot-portal.db").display()
        );
        tweak(&mut config);
        let state = AppState::new(config.clone()).await?;
        bind_minted_tokens(&demo, &config.database_url);
        let router = app(state.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(serve(listener, state, async {
            let _ = stopped.await;
        }));
        Ok(Stack {
            demo,
            config,
            router,
            addr,
            base: format!("http://{addr}"),
            dir,
            _stop: stop,
        })
    }
}
