//! The chat document of the widget (`/widget/chat/`): its own wasm, so that visitors who never chat
//! never download the live connection's code.

fn main() {
    accueil_widget::start(&accueil_widget::CHAT);
}
