//! A site's settings, for administrators: the form that changes them, the exact tag to paste into the
//! brand's pages (with a copy button), and the settings the server applies as TOML, to read or export
//! (settings as code).

use crate::api::{self, ApiFailure};
use crate::i18n::Key;
use crate::settings_form::SettingsEditor;
use crate::use_console;
use accueil_protocol::SiteSettings;
use leptos::prelude::*;

#[component]
pub fn Settings(site: String) -> impl IntoView {
    let console = use_console();
    let settings = RwSignal::new(None::<Result<SiteSettings, ApiFailure>>);
    let export = format!("/v1/agent/settings/{site}/export");
    let editing = site.clone();
    leptos::task::spawn_local(async move { settings.set(Some(api::settings(&site).await)) });
    // The form keeps its own state; a save refreshes the tag and the TOML beside it.
    let saved = Callback::new(move |answer: SiteSettings| settings.set(Some(Ok(answer))));
    let editor = RwSignal::new(None::<SiteSettings>);
    Effect::new(move |_| {
        if editor.with_untracked(Option::is_none)
            && let Some(Ok(loaded)) = settings.get()
        {
            editor.set(Some(loaded));
        }
    });
    let copied = RwSignal::new(false);
    view! {
        <h1>{console.t(Key::Settings)}</h1>
        {move || editor.get().map(|loaded| view! { <SettingsEditor site=editing.clone() loaded saved /> })}
        {move || match settings.get() {
            None => view! { <p role="status">{console.t(Key::Loading)}</p> }.into_any(),
            Some(Err(_)) => view! { <p role="alert">{console.t(Key::Unreachable)}</p> }.into_any(),
            Some(Ok(found)) => {
                let tag = found.tag.clone();
                let copy = move |_| {
                    let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) else { return };
                    let promise = clipboard.write_text(&tag);
                    leptos::task::spawn_local(async move {
                        copied.set(wasm_bindgen_futures::JsFuture::from(promise).await.is_ok());
                    });
                };
                view! {
                    <section class="ac-account" aria-labelledby="ac-tag-title">
                        <h2 id="ac-tag-title">{console.t(Key::TagTitle)}</h2>
                        <p class="ac-hint" id="ac-tag-hint">{console.t(Key::TagHint)}</p>
                        <label for="ac-tag" class="ac-visually-hidden">{console.t(Key::TagTitle)}</label>
                        <textarea id="ac-tag" class="ac-code" readonly rows="3" aria-describedby="ac-tag-hint" prop:value=found.tag.clone()></textarea>
                        <button type="button" class="ac-primary" on:click=copy>{console.t(Key::CopyTag)}</button>
                        <p role="status">{move || copied.get().then(|| console.t(Key::Copied))}</p>
                    </section>
                    <section class="ac-account" aria-labelledby="ac-toml-title">
                        <h2 id="ac-toml-title">{console.t(Key::SettingsAsCode)}</h2>
                        <p class="ac-hint">{console.t(Key::SettingsAsCodeHint)}</p>
                        <a class="ac-secondary-dark" href=export.clone() download>{console.t(Key::ExportToml)}</a>
                        <pre class="ac-code" tabindex="0" role="region" aria-labelledby="ac-toml-title"><code>{found.toml}</code></pre>
                    </section>
                }
                .into_any()
            }
        }}
    }
}
