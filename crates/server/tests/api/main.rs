//! The server over real HTTP: each test starts its own server on a random loopback port with its own
//! SQLite file (or its own PostgreSQL database, when `ACCUEIL_TEST_POSTGRES_URL` names a server) and
//! static files in a temporary directory.

mod agent;
mod callbacks;
mod chat_console;
mod community;
mod connections;
mod console_faq;
mod crash;
mod dashboard;
mod erasure;
mod faq;
mod faults;
mod files;
mod floods;
mod helpers;
mod identity;
mod links;
mod live;
mod mail;
mod metrics;
mod nodes;
mod proxies;
mod roles;
mod settings;
mod site_scope;
mod team;
mod visitor;
mod your_data;
