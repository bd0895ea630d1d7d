//! Every string the widget shows, in French and English. A `Key` without both translations does not
//! compile, so no language can fall behind.

use accueil_protocol::Locale;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Greeting,
    HowCanWeHelp,
    SearchLabel,
    SearchPlaceholder,
    SearchSoon,
    Chat,
    ChatHint,
    Callback,
    CallbackHint,
    Community,
    CommunityHint,
    ChannelSoon,
    OtherWays,
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
    PopularQuestions,
    NoAnswer,
    NoAnswerHint,
    Answer,
    WasThisHelpful,
    Yes,
    No,
    TellUsMore,
    Send,
    Thanks,
    Related,
    StillNeedHelp,
    YourQuestion,
    Results,
    CallbackIntro,
    Country,
    PhoneLabel,
    NameLabel,
    TopicLabel,
    WhenLabel,
    WhenHint,
    Asap,
    RequestCall,
    Sending,
    PhoneInvalid,
    PhoneCapped,
    TopicRequired,
    TooLong,
    ConsentRequired,
    SlotGone,
    SlotFull,
    NoSlots,
    TooManyOpen,
    SendFailed,
    Confirmed,
    CancelCall,
    AnotherCall,
    StatusScheduled,
    StatusInProgress,
    StatusDone,
    StatusMissed,
    StatusCancelled,
    YourCalls,
}

pub fn text(locale: Locale, key: Key) -> &'static str {
    use Key::*;
    match (locale, key) {
        (Locale::Fr, Greeting) => "Bonjour !",
        (Locale::En, Greeting) => "Hello!",
        (Locale::Fr, HowCanWeHelp) => "Comment pouvons-nous vous aider ?",
        (Locale::En, HowCanWeHelp) => "How can we help?",
        (Locale::Fr, SearchLabel) => "Rechercher dans l'aide",
        (Locale::En, SearchLabel) => "Search our help",
        (Locale::Fr, SearchPlaceholder) => "Livraison, retour, garantie…",
        (Locale::En, SearchPlaceholder) => "Delivery, returns, warranty…",
        (Locale::Fr, SearchSoon) => {
            "Les réponses à vos questions arrivent ici très bientôt. En attendant, notre équipe vous répond."
        }
        (Locale::En, SearchSoon) => {
            "Answers to your questions will appear here very soon. Meanwhile, our team is happy to help."
        }
        (Locale::Fr, Chat) => "Discuter avec nous",
        (Locale::En, Chat) => "Chat with us",
        (Locale::Fr, ChatHint) => "Un conseiller vous répond par écrit",
        (Locale::En, ChatHint) => "A member of our team replies in writing",
        (Locale::Fr, Callback) => "Être rappelé",
        (Locale::En, Callback) => "Call me back",
        (Locale::Fr, CallbackHint) => "Au moment qui vous convient",
        (Locale::En, CallbackHint) => "At a time that suits you",
        (Locale::Fr, Community) => "Communauté",
        (Locale::En, Community) => "Community",
        (Locale::Fr, CommunityHint) => "Les questions et réponses des clients",
        (Locale::En, CommunityHint) => "Questions and answers from customers",
        (Locale::Fr, ChannelSoon) => "Ce service ouvre très bientôt dans cette fenêtre.",
        (Locale::En, ChannelSoon) => "This service opens in this window very soon.",
        (Locale::Fr, OtherWays) => "Nos horaires",
        (Locale::En, OtherWays) => "Our opening hours",
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
        (Locale::Fr, PopularQuestions) => "Questions fréquentes",
        (Locale::En, PopularQuestions) => "Frequently asked",
        (Locale::Fr, NoAnswer) => "Nous n'avons pas de réponse toute prête à cette question.",
        (Locale::En, NoAnswer) => "We have no ready answer to that question.",
        (Locale::Fr, NoAnswerHint) => "Essayez d'autres mots, ou posez-la directement à notre équipe :",
        (Locale::En, NoAnswerHint) => "Try other words, or ask our team directly:",
        (Locale::Fr, Answer) => "Réponse",
        (Locale::En, Answer) => "Answer",
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
        (Locale::Fr, YourQuestion) => "Votre question",
        (Locale::En, YourQuestion) => "Your question",
        (Locale::Fr, Results) => "réponses",
        (Locale::En, Results) => "answers",
        (Locale::Fr, CallbackIntro) => {
            "Nous vous appelons dans le créneau que vous choisissez, pour cette demande seulement."
        }
        (Locale::En, CallbackIntro) => "We call you in the window you choose, about this request only.",
        (Locale::Fr, Country) => "Pays",
        (Locale::En, Country) => "Country",
        (Locale::Fr, PhoneLabel) => "Votre numéro de téléphone",
        (Locale::En, PhoneLabel) => "Your phone number",
        (Locale::Fr, NameLabel) => "Votre prénom (facultatif)",
        (Locale::En, NameLabel) => "Your first name (optional)",
        (Locale::Fr, TopicLabel) => "À quel sujet ?",
        (Locale::En, TopicLabel) => "What is it about?",
        (Locale::Fr, WhenLabel) => "Quand vous appeler ?",
        (Locale::En, WhenLabel) => "When should we call?",
        (Locale::Fr, WhenHint) => "Horaires affichés à l'heure de votre appareil.",
        (Locale::En, WhenHint) => "Times are shown in your device's time.",
        (Locale::Fr, Asap) => "Dès que possible",
        (Locale::En, Asap) => "As soon as possible",
        (Locale::Fr, RequestCall) => "Demander l'appel",
        (Locale::En, RequestCall) => "Request the call",
        (Locale::Fr, Sending) => "Envoi…",
        (Locale::En, Sending) => "Sending…",
        (Locale::Fr, PhoneInvalid) => "Ce numéro ne semble pas valide pour ce pays.",
        (Locale::En, PhoneInvalid) => "This number does not look valid for this country.",
        (Locale::Fr, PhoneCapped) => "Ce numéro a atteint la limite de demandes pour aujourd'hui.",
        (Locale::En, PhoneCapped) => "This number has reached today's limit of requests.",
        (Locale::Fr, TopicRequired) => "Dites-nous en quelques mots de quoi il s'agit.",
        (Locale::En, TopicRequired) => "Tell us in a few words what it is about.",
        (Locale::Fr, TooLong) => "Ce texte est trop long.",
        (Locale::En, TooLong) => "This text is too long.",
        (Locale::Fr, ConsentRequired) => "Cochez la case pour que nous puissions vous appeler.",
        (Locale::En, ConsentRequired) => "Tick the box so that we may call you.",
        (Locale::Fr, SlotGone) => "Ce créneau n'est plus proposé : choisissez-en un autre.",
        (Locale::En, SlotGone) => "This window is no longer offered: please choose another.",
        (Locale::Fr, SlotFull) => "Ce créneau vient d'être pris. Voici les suivants :",
        (Locale::En, SlotFull) => "This window has just been taken. Here are the next ones:",
        (Locale::Fr, NoSlots) => "Aucun créneau libre dans les prochains jours. Écrivez-nous plutôt.",
        (Locale::En, NoSlots) => "No free window in the coming days. Please write to us instead.",
        (Locale::Fr, TooManyOpen) => "Vous avez déjà trois demandes en cours : annulez-en une d'abord.",
        (Locale::En, TooManyOpen) => "You already have three requests open: cancel one first.",
        (Locale::Fr, SendFailed) => "L'envoi n'a pas abouti. Vérifiez votre connexion et réessayez.",
        (Locale::En, SendFailed) => "Sending failed. Please check your connection and try again.",
        (Locale::Fr, Confirmed) => "C'est noté ! Nous vous appellerons dans ce créneau.",
        (Locale::En, Confirmed) => "All set! We will call you in this window.",
        (Locale::Fr, CancelCall) => "Annuler ce rappel",
        (Locale::En, CancelCall) => "Cancel this call",
        (Locale::Fr, AnotherCall) => "Demander un autre rappel",
        (Locale::En, AnotherCall) => "Request another call",
        (Locale::Fr, StatusScheduled) => "Rappel prévu",
        (Locale::En, StatusScheduled) => "Call scheduled",
        (Locale::Fr, StatusInProgress) => "Un conseiller vous appelle",
        (Locale::En, StatusInProgress) => "An advisor is calling you",
        (Locale::Fr, StatusDone) => "Appel effectué",
        (Locale::En, StatusDone) => "Call done",
        (Locale::Fr, StatusMissed) => "Nous n'avons pas pu vous joindre",
        (Locale::En, StatusMissed) => "We could not reach you",
        (Locale::Fr, StatusCancelled) => "Rappel annulé",
        (Locale::En, StatusCancelled) => "Call cancelled",
        (Locale::Fr, YourCalls) => "Vos demandes de rappel",
        (Locale::En, YourCalls) => "Your call requests",
    }
}

/// "3 réponses" / "1 answer": announced to screen readers as results change.
pub fn results_status(locale: Locale, count: usize) -> String {
    match (locale, count) {
        (Locale::Fr, 0) => "Aucune réponse".to_owned(),
        (Locale::Fr, 1) => "1 réponse".to_owned(),
        (Locale::En, 0) => "No answers".to_owned(),
        (Locale::En, 1) => "1 answer".to_owned(),
        (locale, n) => format!("{n} {}", text(locale, Key::Results)),
    }
}

/// The other language of the switch button (the widget speaks exactly two for now).
pub fn other(locale: Locale) -> Locale {
    match locale {
        Locale::Fr => Locale::En,
        Locale::En => Locale::Fr,
    }
}

/// Day names for opening hours, Monday first.
pub fn weekday(locale: Locale, day: accueil_protocol::Weekday) -> &'static str {
    use accueil_protocol::Weekday::*;
    let (fr, en) = match day {
        Mon => ("lundi", "Monday"),
        Tue => ("mardi", "Tuesday"),
        Wed => ("mercredi", "Wednesday"),
        Thu => ("jeudi", "Thursday"),
        Fri => ("vendredi", "Friday"),
        Sat => ("samedi", "Saturday"),
        Sun => ("dimanche", "Sunday"),
    };
    match locale {
        Locale::Fr => fr,
        Locale::En => en,
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
