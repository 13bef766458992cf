//! The platforms a project can be for, as the dashboard names them: what its *Connect your app*
//! guide offers and what the server accepts as a project's platform.

/// Each platform's id (stored with the project, as Sentry spells it) and its name.
pub const PLATFORMS: [(&str, &str); 14] = [
    ("python", "Python"),
    ("python-django", "Django"),
    ("python-flask", "Flask"),
    ("python-fastapi", "FastAPI"),
    ("node", "Node.js / Express"),
    ("javascript", "Browser JavaScript"),
    ("javascript-react", "React"),
    ("rust", "Rust"),
    ("go", "Go"),
    ("java", "Java"),
    ("dotnet", ".NET"),
    ("php", "PHP"),
    ("ruby", "Ruby"),
    ("other", "Other"),
];

/// The name of the platform with this id; the id itself for one this version does not know.
pub fn name(id: &str) -> &str {
    PLATFORMS.iter().find(|(known, _)| *known == id).map_or(id, |(_, name)| name)
}

/// Whether this is the id of a platform.
pub fn is_known(id: &str) -> bool {
    PLATFORMS.iter().any(|(known, _)| *known == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_are_named_and_their_ids_are_unique() {
        assert_eq!(name("node"), "Node.js / Express");
        assert_eq!(name("cobol"), "cobol", "an unknown id is shown as it is");
        assert!(is_known("python-django") && !is_known("Django"));
        let ids: std::collections::BTreeSet<_> = PLATFORMS.iter().map(|(id, _)| id).collect();
        assert_eq!(ids.len(), PLATFORMS.len());
    }
}
