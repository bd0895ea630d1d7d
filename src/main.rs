fn main() {
    accueil_widget::start(&accueil_widget::HOME);
}
