//! Black-box tests: the real `unlockd` binary, real sockets, a real SQLite file.

mod activation;
mod bad_input;
mod golden;
mod license_file;
mod schema;
mod server;
