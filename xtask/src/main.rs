//! `cargo xtask`: the project's task runner.
//!
//! - `serve`: build the page, start the simulators and the proxy, print the URL.
//! - `test`: fmt, clippy, native tests, browser tests, end-to-end tests; what CI runs.
//! - `build`: the page as users get it, into `dist/`.
//! - `bench`: bytes and times of the first screen and the returning pilot (figures, not a test).
//! - `bench-proxy`: the proxy's throughput, latency and memory beside nginx (release builds).
//! - `setup`: install the toolchain pieces that are missing (also done by the others).
//! - `compat`: check a built page against the oldest WebView we support (also in `test`).
//! - `check`: the operator's preflight (`pilot-portal-proxy check`) against the demo stack.

mod bench;
mod bench_proxy;
mod check;
mod compat;
mod fingerprint;
mod imports;
mod minify;
mod page;
mod postgres;
mod run;
mod serve;
mod stack;
mod test;
mod tools;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "pilot-portal tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Build the page (release), start the simulators and the proxy on one origin.
    Serve {
        /// Port of the proxy (the page and /api).
        #[arg(long, default_value_t = 8080)]
        port: u16,
    },
    /// Everything CI checks: fmt, clippy -D warnings, native, browser and end-to-end tests.
    Test,
    /// Build the page as users get it (every bundle, loader, precompressed) into dist/.
    Build,
    /// Print the first screen's bytes and the time to the login form in headless Chromium.
    Bench {
        /// Cold runs per setting (the median is reported).
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Also measure another build of the page, already served on 127.0.0.1 at this port
        /// (an older tree's `cargo xtask serve --port P`): its first screen and returning pilot
        /// in runs alternating with ours, so that a figure from another machine can be scaled.
        #[arg(long, value_name = "PORT")]
        baseline: Option<u16>,
        /// Open a page of the same site (the token API simulator's) before each timed
        /// opening: chromedriver holds a new renderer until it has attached to it, and
        /// without this every figure carries that wait and the renderer's start.
        #[arg(long)]
        renderer_started: bool,
    },
    /// The proxy under load beside nginx on the same dist/ (release builds; wrk): requests per
    /// second, p50/p99, memory idle and after load.
    BenchProxy {
        /// Seconds per wrk run.
        #[arg(long, default_value_t = 5)]
        secs: u32,
        /// A page already built (`cargo xtask build`); default: build it now.
        #[arg(long)]
        dist: Option<std::path::PathBuf>,
    },
    /// Check the built page (dist/, or PILOT_PORTAL_BUILD_DIR) against the oldest WebView we
    /// support: WebAssembly MVP, scripts at their ECMAScript level (also run by `test`).
    Compat,
    /// Install missing tools (wasm32 target, trunk, wasm-bindgen-cli, wasm-opt, Chromium).
    Setup,
    /// Start the demo stack and run `pilot-portal-proxy check` against it with a demo account
    /// (what an operator runs against the real services).
    Check,
}

fn main() -> anyhow::Result<()> {
    let root = run::workspace_root()?;
    std::env::set_current_dir(&root)?;
    match Cli::parse().task {
        Task::Serve { port } => serve::serve(port),
        Task::Test => test::test(),
        Task::Build => tools::setup(tools::Need::Build)
            .and_then(|tools| page::build(&tools))
            .map(|dist| eprintln!("built {}", dist.display())),
        Task::Bench {
            runs,
            baseline,
            renderer_started,
        } => bench::bench(runs.max(1), baseline, renderer_started),
        Task::BenchProxy { secs, dist } => bench_proxy::bench_proxy(secs.max(1), dist),
        Task::Compat => tools::setup(tools::Need::All).and_then(|tools| {
            compat::check(&std::env::current_dir()?.join(page::dist_dir()), &tools)
        }),
        Task::Setup => tools::setup(tools::Need::All).map(|_| ()),
        Task::Check => check::check(),
    }
}
