//! The callback document of the widget (`/widget/callback/`): its own wasm, so that visitors who never
//! ask to be called back never download the form.

fn main() {
    accueil_widget::start(&accueil_widget::CALLBACK);
}
