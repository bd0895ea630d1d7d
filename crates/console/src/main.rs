fn main() {
    accueil_console::start();
}
