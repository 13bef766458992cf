//! The official Rust SDK (the `sentry` crate) reports a real panic. Its transport hands over
//! each envelope exactly as the SDK wrote it, and the test posts that to the running server.

use crate::helpers::spawn_app;
use std::sync::{Arc, Mutex, PoisonError};

/// Keeps what the SDK would have sent.
#[derive(Clone, Default)]
struct Envelopes(Arc<Mutex<Vec<Vec<u8>>>>);

impl sentry::Transport for Envelopes {
    fn send_envelope(&self, envelope: sentry::Envelope) {
        let mut bytes = Vec::new();
        envelope.to_writer(&mut bytes).expect("the SDK writes its envelope");
        self.0.lock().unwrap_or_else(PoisonError::into_inner).push(bytes);
    }
}

#[inline(never)]
fn checkout_total(prices: &[u32]) -> u32 {
    let first = prices.first().expect("the cart is empty");
    prices.iter().sum::<u32>() / first
}

#[tokio::test]
async fn a_rust_panic_is_blamed_on_the_app_not_on_the_sdk_or_the_standard_library() {
    let app = spawn_app().await;
    let envelopes = Envelopes::default();
    let transport = envelopes.clone();
    let dsn = app.default_project.dsn(&format!("http://{}", app.addr));
    let mut options = sentry::ClientOptions::new();
    options.dsn = Some(dsn.parse().expect("a DSN"));
    options.transport =
        Some(Arc::new(move |_: &sentry::ClientOptions| Arc::new(transport.clone()) as Arc<dyn sentry::Transport>));
    // The SDK, its client and the panic in a thread of their own, as in an app.
    let panicked = std::thread::spawn(move || {
        let _guard = sentry::init(options);
        std::panic::catch_unwind(|| checkout_total(std::hint::black_box(&[]))).is_err()
    })
    .join()
    .expect("the thread ends");
    assert!(panicked);

    let sent = std::mem::take(&mut *envelopes.0.lock().unwrap_or_else(PoisonError::into_inner));
    assert_eq!(sent.len(), 1, "the panic, once");
    let project = &app.default_project;
    let path = format!("/api/{}/envelope/?sentry_key={}", project.project_id, project.public_key.as_str());
    let response = app.ingest(&path, None, sent[0].clone()).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());

    let issues = app.issues().await;
    assert_eq!(issues.len(), 1);
    assert!(issues[0].title.contains("the cart is empty"), "{}", issues[0].title);
    assert!(
        issues[0].culprit.ends_with("in api::rust_sdk::checkout_total"),
        "the innermost frame not known as a library's: {}",
        issues[0].culprit
    );
    let (_, event) = app.stored_event(&events_of(&app).await[0]).await.expect("stored");
    let frames = &event.crash_stacktrace().expect("a stack trace").frames;
    let marked = |name: &str| frames.iter().find(|f| f.function.as_deref().is_some_and(|f| f.contains(name)));
    let own = marked("checkout_total").expect("the app's frame");
    assert_ne!(own.in_app, Some(false), "no rule calls the app's code a library's");
    for library in ["sentry_panic::", "core::panicking::"] {
        if let Some(frame) = marked(library) {
            assert_eq!(frame.in_app, Some(false), "{library} is a library: {frame:?}");
        }
    }
    assert!(marked("sentry_panic::").is_some() || marked("core::panicking::").is_some(), "{frames:#?}");
}

async fn events_of(app: &crate::helpers::TestApp) -> Vec<String> {
    use sea_orm::EntityTrait;
    server::store::entities::event::Entity::find()
        .all(&app.db)
        .await
        .expect("events")
        .into_iter()
        .map(|row| row.event_id)
        .collect()
}
