//! The strings only the home document (search, answers, articles) shows, in French and English: a
//! table of its own, so that the other documents' wasm does not carry them.

use super::Phrase;
use accueil_protocol::Locale;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HomeKey {
    SearchLabel,
    SearchPlaceholder,
    ChatHint,
    CallbackHint,
    CommunityHint,
    PopularQuestions,
    NoAnswer,
    NoAnswerHint,
    WasThisHelpful,
    Yes,
    No,
    TellUsMore,
    Send,
    Thanks,
    Related,
    StillNeedHelp,
    Results,
    OngoingChat,
}

impl Phrase for HomeKey {
    fn text(self, locale: Locale) -> &'static str {
        use HomeKey::*;
        match (locale, self) {
            (Locale::Fr, SearchLabel) => "Rechercher dans l'aide",
            (Locale::En, SearchLabel) => "Search our help",
            (Locale::Fr, SearchPlaceholder) => "Livraison, retour, garantie…",
            (Locale::En, SearchPlaceholder) => "Delivery, returns, warranty…",
            (Locale::Fr, ChatHint) => "Un conseiller vous répond par écrit",
            (Locale::En, ChatHint) => "A member of our team replies in writing",
            (Locale::Fr, CallbackHint) => "Au moment qui vous convient",
            (Locale::En, CallbackHint) => "At a time that suits you",
            (Locale::Fr, CommunityHint) => "Les questions et réponses des clients",
            (Locale::En, CommunityHint) => "Questions and answers from customers",
            (Locale::Fr, PopularQuestions) => "Questions fréquentes",
            (Locale::En, PopularQuestions) => "Frequently asked",
            (Locale::Fr, NoAnswer) => "Nous n'avons pas de réponse toute prête à cette question.",
            (Locale::En, NoAnswer) => "We have no ready answer to that question.",
            (Locale::Fr, NoAnswerHint) => "Essayez d'autres mots, ou posez-la directement à notre équipe :",
            (Locale::En, NoAnswerHint) => "Try other words, or ask our team directly:",
            (Locale::Fr, WasThisHelpful) => "Cette réponse vous a-t-elle aidé ?",
            (Locale::En, WasThisHelpful) => "Was this answer helpful?",
            (Locale::Fr, Yes) => "Oui",
            (Locale::En, Yes) => "Yes",
            (Locale::Fr, No) => "Non",
            (Locale::En, No) => "No",
            (Locale::Fr, TellUsMore) => "Que manquait-il ? (facultatif, sans données personnelles)",
            (Locale::En, TellUsMore) => "What was missing? (optional, no personal details)",
            (Locale::Fr, Send) => "Envoyer",
            (Locale::En, Send) => "Send",
            (Locale::Fr, Thanks) => "Merci, votre avis nous aide à améliorer nos réponses.",
            (Locale::En, Thanks) => "Thank you, your feedback helps us improve our answers.",
            (Locale::Fr, Related) => "Questions proches",
            (Locale::En, Related) => "Related questions",
            (Locale::Fr, StillNeedHelp) => "Besoin d'aide supplémentaire ?",
            (Locale::En, StillNeedHelp) => "Still need help?",
            (Locale::Fr, Results) => "réponses",
            (Locale::En, Results) => "answers",
            (Locale::Fr, OngoingChat) => "Conversation en cours",
            (Locale::En, OngoingChat) => "Ongoing conversation",
        }
    }
}

/// "3 réponses" / "1 answer": announced to screen readers as results change.
pub fn results_status(locale: Locale, count: usize) -> String {
    match (locale, count) {
        (Locale::Fr, 0) => "Aucune réponse".to_owned(),
        (Locale::Fr, 1) => "1 réponse".to_owned(),
        (Locale::En, 0) => "No answers".to_owned(),
        (Locale::En, 1) => "1 answer".to_owned(),
        (locale, n) => format!("{n} {}", HomeKey::Results.text(locale)),
    }
}
