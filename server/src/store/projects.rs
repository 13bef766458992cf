//! Projects, their DSN keys and their ingest settings.

use super::entities::{project, project_key};
use chrono::Utc;
use protocol::ids::{ProjectId, PublicKey};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
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
}

impl Default for IngestSettings {
    fn default() -> Self {
        IngestSettings {
            allowed_origins: vec!["*".to_owned()],
            sensitive_fields: Vec::new(),
            safe_fields: Vec::new(),
            filter_browser_extensions: true,
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
        },
    }))
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

/// Replaces a project's ingest settings.
pub async fn set_ingest_settings(
    db: &impl ConnectionTrait,
    id: ProjectId,
    settings: &IngestSettings,
) -> Result<(), DbErr> {
    let row = project::Entity::find_by_id(id.get())
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("no project {id}")))?;
    let mut row = row.into_active_model();
    row.allowed_origins = Set(lines(&settings.allowed_origins));
    row.sensitive_fields = Set(lines(&settings.sensitive_fields));
    row.safe_fields = Set(lines(&settings.safe_fields));
    row.filter_browser_extensions = Set(settings.filter_browser_extensions);
    row.update(db).await?;
    Ok(())
}

fn lines(items: &[String]) -> String {
    items.join("\n")
}

fn split_lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|line| !line.is_empty()).map(str::to_owned).collect()
}
