//! The visitor's data document of the widget (`/widget/data/`): what the server holds about them, to
//! see, download and erase; its own wasm, so the home does not carry its code and strings.

fn main() {
    accueil_widget::start(&accueil_widget::DATA);
}
