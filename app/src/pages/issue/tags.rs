//! The issue's tag values: for each key, its most frequent values and their share of events.

use super::IssueState;
use crate::dto::TagValues;
use leptos::prelude::*;

/// The loaded issue's tags (`initial`), then the live ones. Rendered once the issue has loaded,
/// so that the server and the browser render the same.
#[component]
pub fn TagDistribution(state: IssueState, initial: Vec<TagValues>) -> impl IntoView {
    let initial = StoredValue::new(initial);
    let tags = move || state.detail.with(|d| d.as_ref().map(|d| d.tags.clone())).unwrap_or_else(|| initial.get_value());
    view! {
        <section class="card tag-distribution">
            <h2>"Tags"</h2>
            <Show when=move || !tags().is_empty() fallback=|| view! { <p class="muted">"No tags yet."</p> }>
                {move || tags().into_iter().map(|tag| view! { <TagKey tag/> }).collect_view()}
            </Show>
        </section>
    }
}

#[component]
fn TagKey(tag: TagValues) -> impl IntoView {
    let total = tag.total.max(1);
    view! {
        <div class="tag-key" data-key=tag.key.clone()>
            <h3>{tag.key.clone()}</h3>
            <ul>
                {tag.top
                    .into_iter()
                    .map(|value| {
                        let percent = percent(value.count, total);
                        view! {
                            <li class="tag-value" title=format!("{} of {} events", value.count, tag.total)>
                                // An SVG bar: the page's CSP allows no inline styles.
                                <svg class="bar" aria-hidden="true">
                                    <rect width=format!("{percent}%") height="100%" rx="3"></rect>
                                </svg>
                                <span class="value">{value.value}</span>
                                <span class="percent">{format!("{percent}%")}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </div>
    }
}

/// The share, rounded to a whole percent; never 0 for a value that occurred.
fn percent(count: i64, total: i64) -> i64 {
    ((count * 100 + total / 2) / total).max(i64::from(count > 0))
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn shares_round_to_whole_percents_and_rare_values_still_show() {
        assert_eq!(percent(2, 3), 67);
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(1, 1000), 1);
        assert_eq!(percent(5, 5), 100);
    }
}
