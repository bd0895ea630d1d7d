//! Inline SVG icons: no requests, and `aria-hidden` because the buttons around them carry the names.

use leptos::prelude::*;

#[component]
pub fn BackIcon() -> impl IntoView {
    view! {
        <svg class="aw-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d="M15 5l-7 7 7 7" />
        </svg>
    }
}

#[component]
pub fn CloseIcon() -> impl IntoView {
    view! {
        <svg class="aw-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d="M6 6l12 12M18 6L6 18" />
        </svg>
    }
}

#[component]
pub fn ChevronIcon() -> impl IntoView {
    view! {
        <svg class="aw-icon aw-icon--chevron" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d="M9 5l7 7-7 7" />
        </svg>
    }
}
