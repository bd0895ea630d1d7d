//! The community document of the widget (`/widget/community/`): its own wasm, so that visitors who
//! never open the community never download it.

fn main() {
    accueil_widget::start(&accueil_widget::COMMUNITY);
}
