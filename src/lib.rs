//! The Accueil widget: the document the embed iframe loads. A home view with search and the ways to
//! reach the brand, French and English, themed by the site's config, talking to the Accueil server in
//! `accueil_protocol` types and to the host page through origin-pinned `postMessage`.

pub mod api;
pub mod clock;
pub mod components;
pub mod embed;
pub mod faq;
pub mod host;
/// The widget's strings, in their own crate so that the server writes the first view in the same words.
pub use accueil_words as i18n;
pub mod session;

use accueil_protocol::SiteConfig;
use components::app::{App, Document, View};
use components::article::Article;
use components::callback::CallbackView;
use components::channel::ChannelView;
use components::chat::ChatView;
use components::community::CommunityView;
use components::data::DataView;
use components::home::Home;
use leptos::prelude::*;

/// The home document, `/widget/`: search, answers, and the channels not yet in a document of their own.
pub static HOME: Document = Document {
    first_view: View::Home,
    shows: |view| !matches!(view, View::Callback | View::Community | View::Chat | View::Data),
    setup: |widget| {
        widget.follow_faq();
        widget.check_unread();
    },
    content: home_content,
    hears: |_, _| {},
};

fn home_content(view: View, config: SiteConfig) -> AnyView {
    match view {
        View::Article(id) => view! { <Article id=id config=config /> }.into_any(),
        // The channels are other documents; the home shows while the frame moves there.
        View::Home | View::Callback | View::Community | View::Chat | View::Data => {
            view! { <Home config=config /> }.into_any()
        }
    }
}

/// The callback document, `/widget/callback/`.
pub static CALLBACK: Document = Document {
    first_view: View::Callback,
    shows: |view| *view == View::Callback,
    setup: |_| {},
    hears: session::hear_identity,
    content: |_, config| {
        if config.features.callback {
            view! { <CallbackView /> }.into_any()
        } else {
            view! { <ChannelView config=config /> }.into_any()
        }
    },
};

/// The chat document, `/widget/chat/`.
pub static CHAT: Document = Document {
    first_view: View::Chat,
    shows: |view| *view == View::Chat,
    setup: |_| {},
    hears: session::hear_identity,
    content: |_, config| {
        if config.features.chat {
            view! { <ChatView /> }.into_any()
        } else {
            view! { <ChannelView config=config /> }.into_any()
        }
    },
};

/// The community document, `/widget/community/`.
pub static COMMUNITY: Document = Document {
    first_view: View::Community,
    shows: |view| *view == View::Community,
    setup: |_| {},
    hears: session::hear_identity,
    content: |_, config| {
        if config.features.community {
            view! { <CommunityView /> }.into_any()
        } else {
            view! { <ChannelView config=config /> }.into_any()
        }
    },
};

/// The visitor's data document, `/widget/data/`: what the server holds, to see, download and erase.
pub static DATA: Document = Document {
    first_view: View::Data,
    shows: |view| *view == View::Data,
    setup: |_| {},
    content: |_, _| view! { <DataView /> }.into_any(),
    hears: |_, _| {},
};

/// Mounts `document` on the body; the entry point of each of the widget's wasm binaries.
pub fn start(document: &'static Document) {
    // Panic messages in the console while developing; release bundles leave the hook (and its
    // formatting) out, as every byte of theirs counts against the size budgets, and a panic there
    // still stops with a trap in the console.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(move || view! { <App document=document /> });
}
