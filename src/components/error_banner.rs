//! A problem outside any one import, until dismissed.

use yew::prelude::*;

/// Props of [`ErrorBanner`].
#[derive(Properties, PartialEq)]
pub struct ErrorBannerProps {
    /// The message, if any.
    pub error: Option<String>,
    /// Closes the banner.
    pub on_dismiss: Callback<()>,
}

/// Shows `error` as text (never as HTML) with a close button.
#[function_component]
pub fn ErrorBanner(props: &ErrorBannerProps) -> Html {
    let Some(error) = &props.error else { return html! {} };
    let dismiss = props.on_dismiss.reform(|_: MouseEvent| ());
    html! {
        <div class="error-banner" role="alert">
            <span>{ error.clone() }</span>
            <button onclick={dismiss}>{ "×" }</button>
        </div>
    }
}
