//! mock-zen: a local stand-in for the OpenCode Zen gateway, for tests,
//! benchmarks and the offline demo. See README.md for flags, routes,
//! scenarios and the recording API.

mod config;
mod formats;
mod http;
mod inspect;
mod plan;
mod record;
mod scenario;
mod server;
mod zen_error;

use std::io::Write;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

/// How long an idle keep-alive connection is kept before its thread ends.
pub const IDLE_TIMEOUT: Option<Duration> = Some(Duration::from_secs(120));

fn main() {
    let config = match config::Config::from_args(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("{msg}");
            std::process::exit(2);
        }
    };
    let listener = match TcpListener::bind(("127.0.0.1", config.port)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("mock-zen: cannot listen on 127.0.0.1:{}: {e}", config.port);
            std::process::exit(1);
        }
    };
    let port = match listener.local_addr() {
        Ok(addr) => addr.port(),
        Err(e) => {
            eprintln!("mock-zen: no local address: {e}");
            std::process::exit(1);
        }
    };
    // Tests read this exact line to learn the port, so flush it at once.
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "mock-zen listening on http://127.0.0.1:{port}");
    let _ = stdout.flush();

    let state = Arc::new(server::State::new(config));
    for conn in listener.incoming() {
        match conn {
            Ok(stream) => {
                let state = Arc::clone(&state);
                let spawned = std::thread::Builder::new()
                    .name("mock-zen-conn".into())
                    .spawn(move || server::handle_connection(stream, &state));
                if let Err(e) = spawned {
                    eprintln!("mock-zen: cannot start a connection thread: {e}");
                }
            }
            Err(e) => eprintln!("mock-zen: accept failed: {e}"),
        }
    }
}
