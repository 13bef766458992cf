//! Project memberships and their roles.

use super::entities::{project_member, user};
use app::dto::MemberInfo;
use app::model::{Assignee, Role};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter,
};

pub async fn role(db: &impl ConnectionTrait, project_id: i64, user_id: i64) -> Result<Option<Role>, DbErr> {
    let row = project_member::Entity::find()
        .filter(project_member::Column::ProjectId.eq(project_id))
        .filter(project_member::Column::UserId.eq(user_id))
        .one(db)
        .await?;
    Ok(row.and_then(|row| Role::parse(&row.role)))
}

/// The user's projects and roles.
pub async fn projects_of(db: &impl ConnectionTrait, user_id: i64) -> Result<Vec<(i64, Role)>, DbErr> {
    let rows = project_member::Entity::find().filter(project_member::Column::UserId.eq(user_id)).all(db).await?;
    Ok(rows.into_iter().filter_map(|row| Some((row.project_id, Role::parse(&row.role)?))).collect())
}

/// Adds the user to the project, or changes their role.
pub async fn set(db: &impl ConnectionTrait, project_id: i64, user_id: i64, role: Role) -> Result<(), DbErr> {
    let existing = project_member::Entity::find()
        .filter(project_member::Column::ProjectId.eq(project_id))
        .filter(project_member::Column::UserId.eq(user_id))
        .one(db)
        .await?;
    match existing {
        Some(row) => {
            let mut row = row.into_active_model();
            row.role = Set(role.as_str().to_owned());
            row.update(db).await?;
        }
        None => {
            project_member::ActiveModel {
                project_id: Set(project_id),
                user_id: Set(user_id),
                role: Set(role.as_str().to_owned()),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}

/// Whether the user was a member.
pub async fn remove(db: &impl ConnectionTrait, project_id: i64, user_id: i64) -> Result<bool, DbErr> {
    let result = project_member::Entity::delete_many()
        .filter(project_member::Column::ProjectId.eq(project_id))
        .filter(project_member::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

pub async fn list(db: &impl ConnectionTrait, project_id: i64) -> Result<Vec<MemberInfo>, DbErr> {
    let rows = project_member::Entity::find().filter(project_member::Column::ProjectId.eq(project_id)).all(db).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let (Some(user), Some(role)) = (user::Entity::find_by_id(row.user_id).one(db).await?, Role::parse(&row.role))
        else {
            continue;
        };
        out.push(MemberInfo { user_id: user.id, email: user.email, role });
    }
    out.sort_by(|a, b| a.email.cmp(&b.email));
    Ok(out)
}

/// Who may be assigned the project's issues: the instance owner and the members who may triage.
pub async fn assignable(db: &impl ConnectionTrait, project_id: i64) -> Result<Vec<Assignee>, DbErr> {
    let mut out: Vec<Assignee> = user::Entity::find()
        .filter(user::Column::IsOwner.eq(true))
        .filter(user::Column::Disabled.eq(false))
        .all(db)
        .await?
        .into_iter()
        .map(|user| Assignee { id: user.id, email: user.email })
        .collect();
    for member in list(db, project_id).await? {
        if member.role >= Role::Member && !out.iter().any(|known| known.id == member.user_id) {
            out.push(Assignee { id: member.user_id, email: member.email });
        }
    }
    out.sort_by(|a, b| a.email.cmp(&b.email));
    Ok(out)
}
