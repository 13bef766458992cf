//! Sentry's grouping component tree (`grouping/component.py`): every part of an event that may
//! decide its issue, whether it contributes and why not. The hash is md5 over the contributing
//! leaf values, concatenated without separators (`hash_from_values`).

use md5::{Digest, Md5};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Component {
    pub id: &'static str,
    pub contributes: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Part {
    Text(String),
    Child(Component),
}

impl Component {
    /// A leaf that contributes when it has a value.
    pub fn leaf(id: &'static str, value: Option<String>) -> Self {
        let values: Vec<Part> = value.into_iter().map(Part::Text).collect();
        Component { id, contributes: !values.is_empty(), hint: None, values }
    }

    /// A node that contributes when any of its children does.
    pub fn node(id: &'static str, children: Vec<Component>) -> Self {
        let contributes = children.iter().any(|child| child.contributes);
        Component { id, contributes, hint: None, values: children.into_iter().map(Part::Child).collect() }
    }

    /// Marks the component as not contributing, and says why.
    pub fn ignore(&mut self, hint: &'static str) {
        if self.contributes {
            self.contributes = false;
            self.hint = Some(hint);
        }
    }

    /// Whether a `stacktrace` component below (or this one) contributes.
    pub fn has_contributing_stacktrace(&self) -> bool {
        self.contributes
            && (self.id == "stacktrace"
                || self
                    .values
                    .iter()
                    .any(|part| matches!(part, Part::Child(child) if child.has_contributing_stacktrace())))
    }

    /// The contributing leaf values, in tree order (`iter_values`).
    pub fn contributing_values(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect<'a>(&'a self, out: &mut Vec<&'a str>) {
        if !self.contributes {
            return;
        }
        for part in &self.values {
            match part {
                Part::Text(text) => out.push(text),
                Part::Child(child) => child.collect(out),
            }
        }
    }
}

/// md5 of the values concatenated, lowercase hex (`hash_from_values`).
pub fn hash_from_values<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    let mut md5 = Md5::new();
    for value in values {
        md5.update(value.as_bytes());
    }
    format!("{:x}", md5.finalize())
}
