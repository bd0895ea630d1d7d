//! Every string the widget shows, in French and English (the widget's `i18n`; the server writes each
//! document's first view with them too). A key without both translations does not
//! compile, so no language can fall behind. The strings every document shows are here; those only one
//! document shows are in that document's table (`chat`, `callback`, `community`, `home`, `data`), so
//! each wasm carries its own words and no other document's.

use accueil_protocol::Locale;

pub mod callback;
pub mod chat;
pub mod community;
pub mod data;
pub mod home;

/// A key of one of the string tables.
pub trait Phrase: Copy {
    fn text(self, locale: Locale) -> &'static str;
}

/// The words for `key` in `locale`.
pub fn text(locale: Locale, key: impl Phrase) -> &'static str {
    key.text(locale)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Greeting,
    HowCanWeHelp,
    Chat,
    Callback,
    Community,
    ChannelOff,
    Back,
    Close,
    /// The name of the *other* language, in that language, on the switch button.
    OtherLanguage,
    SwitchLanguage,
    Loading,
    LoadFailed,
    Retry,
    Anonymous,
    WidgetTitle,
    Answer,
    YourQuestion,
    Asap,
    NewAnswers,
    YourData,
}

impl Phrase for Key {
    fn text(self, locale: Locale) -> &'static str {
        use Key::*;
        match (locale, self) {
            (Locale::Fr, Greeting) => "Bonjour !",
            (Locale::En, Greeting) => "Hello!",
            (Locale::Fr, HowCanWeHelp) => "Comment pouvons-nous vous aider ?",
            (Locale::En, HowCanWeHelp) => "How can we help?",
            (Locale::Fr, Chat) => "Discuter avec nous",
            (Locale::En, Chat) => "Chat with us",
            (Locale::Fr, Callback) => "Être rappelé",
            (Locale::En, Callback) => "Call me back",
            (Locale::Fr, Community) => "Communauté",
            (Locale::En, Community) => "Community",
            (Locale::Fr, ChannelOff) => "Ce service n'est pas proposé ici. Vous pouvez nous joindre autrement :",
            (Locale::En, ChannelOff) => "This service is not offered here. You can reach us another way:",
            (Locale::Fr, Back) => "Retour",
            (Locale::En, Back) => "Back",
            (Locale::Fr, Close) => "Fermer",
            (Locale::En, Close) => "Close",
            (Locale::Fr, OtherLanguage) => "English",
            (Locale::En, OtherLanguage) => "Français",
            (Locale::Fr, SwitchLanguage) => "Switch to English",
            (Locale::En, SwitchLanguage) => "Passer en français",
            (Locale::Fr, Loading) => "Chargement…",
            (Locale::En, Loading) => "Loading…",
            (Locale::Fr, LoadFailed) => "Nous n'arrivons pas à joindre le service. Vérifiez votre connexion.",
            (Locale::En, LoadFailed) => "We cannot reach the service. Please check your connection.",
            (Locale::Fr, Retry) => "Réessayer",
            (Locale::En, Retry) => "Try again",
            (Locale::Fr, Anonymous) => "Anonyme : rien n'est enregistré tant que vous ne nous écrivez pas.",
            (Locale::En, Anonymous) => "Anonymous: nothing is stored until you write to us.",
            (Locale::Fr, WidgetTitle) => "Aide et contact",
            (Locale::En, WidgetTitle) => "Help and contact",
            (Locale::Fr, Answer) => "Réponse",
            (Locale::En, Answer) => "Answer",
            (Locale::Fr, YourQuestion) => "Votre question",
            (Locale::En, YourQuestion) => "Your question",
            (Locale::Fr, Asap) => "Dès que possible",
            (Locale::En, Asap) => "As soon as possible",
            (Locale::Fr, NewAnswers) => "nouvelle(s) réponse(s)",
            (Locale::En, NewAnswers) => "new answer(s)",
            (Locale::Fr, YourData) => "Vos données",
            (Locale::En, YourData) => "Your data",
        }
    }
}

/// The other language of the switch button (the widget speaks exactly two for now).
pub fn other(locale: Locale) -> Locale {
    match locale {
        Locale::Fr => Locale::En,
        Locale::En => Locale::Fr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_switch_names_the_other_language_in_its_own_words() {
        assert_eq!(text(Locale::Fr, Key::OtherLanguage), "English");
        assert_eq!(text(other(Locale::En), Key::Greeting), "Bonjour !");
    }

    #[test]
    fn french_typography_uses_a_space_before_question_marks() {
        assert!(text(Locale::Fr, Key::HowCanWeHelp).ends_with(" ?"));
    }
}
