//! The widget's Leptos components, one per file.

pub mod app;
pub mod article;
pub mod callback;
pub mod channel;
pub mod chat;
pub mod community;
pub mod data;
pub mod header;
pub mod home;
pub mod icons;
pub mod results;
