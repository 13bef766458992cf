//! Projects and their DSN keys.

use super::entities::{project, project_key};
use crate::domain::{ProjectId, PublicKey};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
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

/// Creates a project named `name` with one active key. `id` and `key` are chosen when not given.
pub async fn create(
    db: &impl ConnectionTrait,
    id: Option<ProjectId>,
    name: &str,
    key: Option<PublicKey>,
) -> Result<ProjectWithKey, DbErr> {
    let now = Utc::now();
    let mut row = project::ActiveModel { name: Set(name.to_owned()), created_at: Set(now), ..Default::default() };
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

/// The project an active key belongs to.
pub async fn project_for_key(db: &impl ConnectionTrait, key: &PublicKey) -> Result<Option<ProjectId>, DbErr> {
    let found = project_key::Entity::find()
        .filter(project_key::Column::PublicKey.eq(key.as_str()))
        .filter(project_key::Column::Active.eq(true))
        .one(db)
        .await?;
    Ok(found.map(|key| ProjectId::from_db(key.project_id)))
}
