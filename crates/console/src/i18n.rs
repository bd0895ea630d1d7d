//! The console's strings in French and English; a key without both does not compile.

use accueil_protocol::Locale;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Loading,
    SignInTitle,
    Email,
    Password,
    SignIn,
    SigningIn,
    EmailRequired,
    PasswordRequired,
    WrongCredentials,
    Unreachable,
    Inbox,
    SignOut,
    Waiting,
    Mine,
    All,
    EmptyInbox,
    SignedInAs,
}

pub fn text(locale: Locale, key: Key) -> &'static str {
    use Key::*;
    match (locale, key) {
        (Locale::Fr, Loading) => "Chargement…",
        (Locale::En, Loading) => "Loading…",
        (Locale::Fr, SignInTitle) => "Connexion à la console Accueil",
        (Locale::En, SignInTitle) => "Sign in to the Accueil console",
        (Locale::Fr, Email) => "Adresse e-mail",
        (Locale::En, Email) => "Email address",
        (Locale::Fr, Password) => "Mot de passe",
        (Locale::En, Password) => "Password",
        (Locale::Fr, SignIn) => "Se connecter",
        (Locale::En, SignIn) => "Sign in",
        (Locale::Fr, SigningIn) => "Connexion…",
        (Locale::En, SigningIn) => "Signing in…",
        (Locale::Fr, EmailRequired) => "Saisissez votre adresse e-mail.",
        (Locale::En, EmailRequired) => "Enter your email address.",
        (Locale::Fr, PasswordRequired) => "Saisissez votre mot de passe.",
        (Locale::En, PasswordRequired) => "Enter your password.",
        (Locale::Fr, WrongCredentials) => "Cette adresse e-mail et ce mot de passe ne correspondent à aucun compte.",
        (Locale::En, WrongCredentials) => "This email and password do not match an account.",
        (Locale::Fr, Unreachable) => "Le serveur ne répond pas. Réessayez dans un instant.",
        (Locale::En, Unreachable) => "The server does not answer. Try again in a moment.",
        (Locale::Fr, Inbox) => "Boîte de réception",
        (Locale::En, Inbox) => "Inbox",
        (Locale::Fr, SignOut) => "Se déconnecter",
        (Locale::En, SignOut) => "Sign out",
        (Locale::Fr, Waiting) => "En attente",
        (Locale::En, Waiting) => "Waiting",
        (Locale::Fr, Mine) => "Les miennes",
        (Locale::En, Mine) => "Mine",
        (Locale::Fr, All) => "Toutes",
        (Locale::En, All) => "All",
        (Locale::Fr, EmptyInbox) => "Aucune conversation pour l'instant. Les nouvelles demandes apparaîtront ici.",
        (Locale::En, EmptyInbox) => "No conversations yet. New requests will appear here.",
        (Locale::Fr, SignedInAs) => "Connecté·e en tant que",
        (Locale::En, SignedInAs) => "Signed in as",
    }
}
