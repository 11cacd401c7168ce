//! Black-box tests: the real `unlockd` binary, real sockets, a real database (SQLite
//! file, or PostgreSQL with `UNLOCKD_TEST_DATABASE=postgres`).

mod activation;
mod bad_input;
mod crash;
mod golden;
mod invariants;
mod license_file;
mod race;
mod schema;
mod server;
mod storm;
