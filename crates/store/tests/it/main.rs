//! Store integration tests on a real SQLite file in a temp dir (one binary, a module
//! per area).

mod activation;
mod bulk;
mod concurrency;
mod counter;
mod floating;
mod installation;
mod keys_and_admin;
mod migration;
mod support;
