//! Black-box tests: the real `unlockd` binary, real sockets, a real database (SQLite
//! file, or PostgreSQL with `UNLOCKD_TEST_DATABASE=postgres`).

mod activation;
mod bad_input;
mod browser;
mod cli_back_office;
mod crash;
mod customer_service;
mod floating;
mod golden;
mod invariants;
mod keys;
mod legacy;
mod license_file;
mod license_file_service;
mod license_service;
mod offline;
mod pp4_scripts;
mod race;
mod schema;
mod server;
mod storm;
mod update_check;
