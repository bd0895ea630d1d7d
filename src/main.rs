fn main() {
    accueil_widget::start();
}
