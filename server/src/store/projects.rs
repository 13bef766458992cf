//! Projects, their DSN keys and their ingest settings.

use super::entities::{project, project_key};
use app::dto::{KeyInfo, ProjectSettings, ProjectUpdate};
use chrono::{DateTime, Utc};
use protocol::ids::{ProjectId, PublicKey};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder,
};

/// A project and the key its SDKs authenticate with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectWithKey {
    pub project_id: ProjectId,
    pub name: String,
    pub public_key: PublicKey,
}

impl ProjectWithKey {
    /// The DSN an SDK is configured with, e.g. `http://<key>@127.0.0.1:3000/1`.
    pub fn dsn(&self, public_url: &str) -> String {
        let (scheme, rest) = public_url.split_once("://").unwrap_or(("http", public_url));
        format!("{scheme}://{}@{}/{}", self.public_key.as_str(), rest.trim_end_matches('/'), self.project_id)
    }
}

/// How a project treats incoming events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IngestSettings {
    /// Origins browser SDKs may send from; `["*"]` allows all.
    pub allowed_origins: Vec<String>,
    /// Field names scrubbed besides the defaults.
    pub sensitive_fields: Vec<String>,
    /// Field names never scrubbed.
    pub safe_fields: Vec<String>,
    pub filter_browser_extensions: bool,
    /// The project's own stack trace rules, as written.
    pub stack_rules: String,
    /// How events were grouped before the rules last changed, while that still counts.
    pub previous_grouping: Option<PreviousGrouping>,
}

/// The grouping a project had before its rules changed: its version and the project's rules
/// then. Until `until`, events are hashed that way too and join an issue of either.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviousGrouping {
    pub version: String,
    pub stack_rules: String,
    pub until: DateTime<Utc>,
}

impl Default for IngestSettings {
    fn default() -> Self {
        IngestSettings {
            allowed_origins: vec!["*".to_owned()],
            sensitive_fields: Vec::new(),
            safe_fields: Vec::new(),
            filter_browser_extensions: true,
            stack_rules: String::new(),
            previous_grouping: None,
        }
    }
}

/// What ingestion needs to know about the key a request authenticated with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IngestKey {
    pub key_id: i64,
    pub project_id: ProjectId,
    /// Events per minute, when the key has its own limit.
    pub rate_limit_per_minute: Option<u32>,
    pub settings: IngestSettings,
}

/// Creates a project named `name` with one active key. `id` and `key` are chosen when not given.
pub async fn create(
    db: &impl ConnectionTrait,
    id: Option<ProjectId>,
    name: &str,
    key: Option<PublicKey>,
) -> Result<ProjectWithKey, DbErr> {
    let now = Utc::now();
    let defaults = IngestSettings::default();
    let mut row = project::ActiveModel {
        name: Set(name.to_owned()),
        platform: Set("other".to_owned()),
        created_at: Set(now),
        allowed_origins: Set(lines(&defaults.allowed_origins)),
        sensitive_fields: Set(String::new()),
        safe_fields: Set(String::new()),
        filter_browser_extensions: Set(defaults.filter_browser_extensions),
        ..Default::default()
    };
    if let Some(id) = id {
        row.id = Set(id.get());
    }
    let project = row.insert(db).await?;
    if id.is_some() && db.get_database_backend() == DbBackend::Postgres {
        // An explicit id does not advance PostgreSQL's sequence; move it past, or a later
        // project would be given the same id.
        db.execute_unprepared("SELECT setval(pg_get_serial_sequence('project', 'id'), (SELECT MAX(id) FROM project))")
            .await?;
    }
    let public_key = key.unwrap_or_else(PublicKey::generate);
    project_key::ActiveModel {
        project_id: Set(project.id),
        public_key: Set(public_key.as_str().to_owned()),
        label: Set("Default".to_owned()),
        active: Set(true),
        created_at: Set(now),
        rate_limit_per_minute: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(ProjectWithKey { project_id: ProjectId::from_db(project.id), name: project.name, public_key })
}

/// The first project and its first active key, creating "Default" when there is no project yet.
pub async fn ensure_default(db: &impl ConnectionTrait) -> Result<ProjectWithKey, DbErr> {
    let first = project::Entity::find().order_by_asc(project::Column::Id).one(db).await?;
    let Some(project) = first else {
        return create(db, None, "Default", None).await;
    };
    let key = project_key::Entity::find()
        .filter(project_key::Column::ProjectId.eq(project.id))
        .filter(project_key::Column::Active.eq(true))
        .order_by_asc(project_key::Column::Id)
        .one(db)
        .await?;
    let public_key = match key.map(|key| PublicKey::parse(&key.public_key)) {
        Some(Ok(key)) => key,
        _ => return Err(DbErr::RecordNotFound(format!("project {} has no usable DSN key", project.id))),
    };
    Ok(ProjectWithKey { project_id: ProjectId::from_db(project.id), name: project.name, public_key })
}

/// The active key with this public key, its project and that project's settings.
pub async fn ingest_key(db: &impl ConnectionTrait, key: &PublicKey) -> Result<Option<IngestKey>, DbErr> {
    let found = project_key::Entity::find()
        .filter(project_key::Column::PublicKey.eq(key.as_str()))
        .filter(project_key::Column::Active.eq(true))
        .one(db)
        .await?;
    let Some(key) = found else { return Ok(None) };
    let Some(project) = project::Entity::find_by_id(key.project_id).one(db).await? else { return Ok(None) };
    Ok(Some(IngestKey {
        key_id: key.id,
        project_id: ProjectId::from_db(project.id),
        rate_limit_per_minute: key.rate_limit_per_minute.and_then(|limit| u32::try_from(limit).ok()),
        settings: IngestSettings {
            allowed_origins: split_lines(&project.allowed_origins),
            sensitive_fields: split_lines(&project.sensitive_fields),
            safe_fields: split_lines(&project.safe_fields),
            filter_browser_extensions: project.filter_browser_extensions,
            previous_grouping: previous_grouping(&project),
            stack_rules: project.stack_rules,
        },
    }))
}

fn previous_grouping(project: &project::Model) -> Option<PreviousGrouping> {
    Some(PreviousGrouping {
        version: project.previous_grouping_version.clone()?,
        stack_rules: project.previous_stack_rules.clone().unwrap_or_default(),
        until: project.grouping_transition_until?,
    })
}

/// Sets how many events per minute the key may send (`None`: the server's default).
pub async fn set_rate_limit(db: &impl ConnectionTrait, key: &PublicKey, per_minute: Option<u32>) -> Result<(), DbErr> {
    let row = project_key::Entity::find()
        .filter(project_key::Column::PublicKey.eq(key.as_str()))
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("no such key".into()))?;
    let mut row = row.into_active_model();
    row.rate_limit_per_minute = Set(per_minute.and_then(|limit| i32::try_from(limit).ok()));
    row.update(db).await?;
    Ok(())
}

/// Every project, oldest first.
pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<project::Model>, DbErr> {
    project::Entity::find().order_by_asc(project::Column::Id).all(db).await
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> Result<Option<project::Model>, DbErr> {
    project::Entity::find_by_id(id).one(db).await
}

/// The project's settings; the built-in stack trace rules are ingestion's to fill in.
pub fn settings(row: &project::Model) -> ProjectSettings {
    ProjectSettings {
        name: row.name.clone(),
        platform: row.platform.clone(),
        allowed_origins: split_lines(&row.allowed_origins),
        sensitive_fields: split_lines(&row.sensitive_fields),
        safe_fields: split_lines(&row.safe_fields),
        filter_browser_extensions: row.filter_browser_extensions,
        stack_rules: row.stack_rules.clone(),
        builtin_stack_rules: String::new(),
        grouping_transition_until: row.grouping_transition_until,
    }
}

/// A change of the grouping: the grouping in use, and until when events are also hashed as
/// before it.
pub struct GroupingChange<'a> {
    pub version: &'a str,
    pub until: DateTime<Utc>,
}

/// Applies the fields the update sets. With `grouping_change` (the new stack trace rules group
/// differently) the grouping before them becomes the previous one, hashed too until its `until`.
/// A transition still under way keeps its older grouping: the issues opened since it began own
/// hashes of that grouping too, so hashing with it keeps them all.
pub async fn update(
    db: &impl ConnectionTrait,
    row: project::Model,
    update: &ProjectUpdate,
    grouping_change: Option<GroupingChange<'_>>,
) -> Result<project::Model, DbErr> {
    let in_transition = row.grouping_transition_until.is_some_and(|until| until > Utc::now());
    let old_rules = row.stack_rules.clone();
    let mut row = row.into_active_model();
    if let Some(rules) = &update.stack_rules {
        row.stack_rules = Set(rules.clone());
    }
    if let Some(change) = grouping_change {
        if !in_transition {
            row.previous_grouping_version = Set(Some(change.version.to_owned()));
            row.previous_stack_rules = Set(Some(old_rules));
        }
        row.grouping_transition_until = Set(Some(change.until));
    }
    if let Some(name) = &update.name {
        row.name = Set(name.trim().to_owned());
    }
    if let Some(platform) = &update.platform {
        row.platform = Set(platform.clone());
    }
    if let Some(origins) = &update.allowed_origins {
        row.allowed_origins = Set(lines(origins));
    }
    if let Some(fields) = &update.sensitive_fields {
        row.sensitive_fields = Set(lines(fields));
    }
    if let Some(fields) = &update.safe_fields {
        row.safe_fields = Set(lines(fields));
    }
    if let Some(filter) = update.filter_browser_extensions {
        row.filter_browser_extensions = Set(filter);
    }
    row.update(db).await
}

/// Deletes the project with its keys, issues, events and memberships.
pub async fn delete(db: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    project::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// The project's DSN keys, with their DSNs under `public_url`.
pub async fn keys(db: &impl ConnectionTrait, project_id: i64, public_url: &str) -> Result<Vec<KeyInfo>, DbErr> {
    let rows = project_key::Entity::find()
        .filter(project_key::Column::ProjectId.eq(project_id))
        .order_by_asc(project_key::Column::Id)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|row| key_info(row, public_url)).collect())
}

pub fn key_info(row: project_key::Model, public_url: &str) -> KeyInfo {
    let dsn = match PublicKey::parse(&row.public_key) {
        Ok(key) => {
            ProjectWithKey { project_id: ProjectId::from_db(row.project_id), name: String::new(), public_key: key }
                .dsn(public_url)
        }
        Err(_) => String::new(),
    };
    KeyInfo {
        id: row.id,
        label: row.label,
        public_key: row.public_key,
        dsn,
        active: row.active,
        rate_limit_per_minute: row.rate_limit_per_minute.and_then(|limit| u32::try_from(limit).ok()),
        created_at: row.created_at,
    }
}

pub async fn key(db: &impl ConnectionTrait, project_id: i64, key_id: i64) -> Result<Option<project_key::Model>, DbErr> {
    project_key::Entity::find_by_id(key_id).filter(project_key::Column::ProjectId.eq(project_id)).one(db).await
}

pub async fn add_key(db: &impl ConnectionTrait, project_id: i64, label: &str) -> Result<project_key::Model, DbErr> {
    project_key::ActiveModel {
        project_id: Set(project_id),
        public_key: Set(PublicKey::generate().as_str().to_owned()),
        label: Set(label.trim().to_owned()),
        active: Set(true),
        created_at: Set(Utc::now()),
        rate_limit_per_minute: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Changes a key's label, whether it is active, or its rate limit.
pub async fn update_key(
    db: &impl ConnectionTrait,
    row: project_key::Model,
    label: Option<&str>,
    active: Option<bool>,
    rate_limit: Option<Option<u32>>,
) -> Result<project_key::Model, DbErr> {
    let mut row = row.into_active_model();
    if let Some(label) = label {
        row.label = Set(label.trim().to_owned());
    }
    if let Some(active) = active {
        row.active = Set(active);
    }
    if let Some(limit) = rate_limit {
        row.rate_limit_per_minute = Set(limit.and_then(|limit| i32::try_from(limit).ok()));
    }
    row.update(db).await
}

/// Gives the key a new public key: SDKs with the old DSN are refused from now on.
pub async fn rotate_key(db: &impl ConnectionTrait, row: project_key::Model) -> Result<project_key::Model, DbErr> {
    let mut row = row.into_active_model();
    row.public_key = Set(PublicKey::generate().as_str().to_owned());
    row.update(db).await
}

fn lines(items: &[String]) -> String {
    items.join("\n")
}

fn split_lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|line| !line.is_empty()).map(str::to_owned).collect()
}
