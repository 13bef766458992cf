//! The colour theme: the system's (`prefers-color-scheme`) until the user picks light or dark
//! in the top bar. The pick is a cookie, so the server renders `<html data-theme=…>` and the
//! page arrives in its theme from the first byte, with no script before it paints.

use leptos::prelude::*;

/// The cookie holding the pick; not a secret, so the browser writes it.
const COOKIE: &str = "faultline_theme";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    /// The pick in a `Cookie` header; anything unknown is the system's.
    #[cfg(any(feature = "ssr", test))]
    fn from_cookies(header: &str) -> Theme {
        header
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == COOKIE)
            .map_or(Theme::System, |(_, value)| Theme::from_attribute(Some(value)))
    }

    fn from_attribute(value: Option<&str>) -> Theme {
        match value {
            Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            _ => Theme::System,
        }
    }

    /// The value of `<html data-theme>`: none when the system decides.
    pub fn attribute(self) -> Option<&'static str> {
        match self {
            Theme::System => None,
            Theme::Light => Some("light"),
            Theme::Dark => Some("dark"),
        }
    }

    /// The toggle goes system → light → dark → system.
    fn next(self) -> Theme {
        match self {
            Theme::System => Theme::Light,
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::System,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Theme::System => "Theme: system",
            Theme::Light => "Theme: light",
            Theme::Dark => "Theme: dark",
        }
    }
}

/// The theme of the page being rendered: on the server the request's cookie, in the browser
/// the document's attribute, which the server wrote from the same cookie.
pub fn current() -> Theme {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| Some(Theme::from_cookies(parts.headers.get(http::header::COOKIE)?.to_str().ok()?)))
            .unwrap_or(Theme::System)
    }
    #[cfg(not(feature = "ssr"))]
    {
        Theme::from_attribute(
            document().document_element().and_then(|html| html.get_attribute("data-theme")).as_deref(),
        )
    }
}

/// Applies `theme` to the page at once and remembers it for a year (or forgets the pick).
#[cfg(feature = "hydrate")]
fn apply(theme: Theme) {
    use leptos::wasm_bindgen::JsCast;
    let document = document();
    if let Some(html) = document.document_element() {
        let applied = match theme.attribute() {
            Some(value) => html.set_attribute("data-theme", value),
            None => html.remove_attribute("data-theme"),
        };
        if let Err(err) = applied {
            leptos::logging::warn!("cannot apply the theme: {err:?}");
        }
    }
    let secure = window().location().protocol().is_ok_and(|protocol| protocol == "https:");
    let cookie = match theme.attribute() {
        Some(value) => format!("{COOKIE}={value}; Path=/; Max-Age=31536000; SameSite=Lax"),
        None => format!("{COOKIE}=; Path=/; Max-Age=0; SameSite=Lax"),
    };
    let cookie = if secure { format!("{cookie}; Secure") } else { cookie };
    if let Ok(document) = document.dyn_into::<web_sys::HtmlDocument>()
        && let Err(err) = document.set_cookie(&cookie)
    {
        leptos::logging::warn!("cannot remember the theme: {err:?}");
    }
}

/// The top bar's button that changes the theme.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let theme = RwSignal::new(current());
    let change = move |_| {
        theme.update(|theme| *theme = theme.next());
        #[cfg(feature = "hydrate")]
        apply(theme.get_untracked());
    };
    view! {
        <button type="button" class="link theme-toggle" title="System, light or dark" on:click=change>
            {move || theme.get().label()}
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::Theme;

    #[test]
    fn the_pick_is_read_from_the_cookie_header_and_nothing_else() {
        assert_eq!(Theme::from_cookies("faultline_session=abc; faultline_theme=dark"), Theme::Dark);
        assert_eq!(Theme::from_cookies("faultline_theme=light"), Theme::Light);
        assert_eq!(Theme::from_cookies("faultline_theme=\"><script>"), Theme::System);
        assert_eq!(Theme::from_cookies("other_faultline_theme=dark"), Theme::System);
        assert_eq!(Theme::from_cookies(""), Theme::System);
    }
}
